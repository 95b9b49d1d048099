namespace Exporters.Exposition;

/// <summary>The exposition formats the host serves.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4.</summary>
    Text,

    /// <summary>OpenMetrics text 1.0.0 (also served when a client asks for 0.0.1).</summary>
    OpenMetrics,
}

/// <summary>The outcome of content negotiation: a format and the exact Content-Type to answer with.</summary>
/// <param name="Format">The format to render.</param>
/// <param name="ContentType">The Content-Type header value.</param>
public readonly record struct NegotiatedFormat(ExpositionFormat Format, string ContentType);
