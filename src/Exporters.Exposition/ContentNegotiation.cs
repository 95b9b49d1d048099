namespace Exporters.Exposition;

/// <summary>
/// Picks the exposition format from an <c>Accept</c> header the way Prometheus' client libraries do: media ranges
/// in order of their <c>q</c> (ties keep header order), the first one served wins, and text 0.0.4 when none is.
/// </summary>
public static class ContentNegotiation
{
    /// <summary>Content-Type of the text format.</summary>
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Content-Type of OpenMetrics 1.0.0.</summary>
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private const string OpenMetrics001ContentType = "application/openmetrics-text; version=0.0.1; charset=utf-8";

    private static readonly NegotiatedFormat Text = new(ExpositionFormat.Text, TextContentType);

    /// <summary>Chooses a format for <paramref name="accept"/>.</summary>
    /// <param name="accept">The request's Accept header (may be null or empty).</param>
    /// <returns>The format and Content-Type.</returns>
    public static NegotiatedFormat Negotiate(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return Text;
        }

        var ranges = new List<(double Q, int Order, NegotiatedFormat? Format)>();
        var order = 0;
        foreach (var part in accept.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var q = 1.0;
            string? version = null;
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var mediaType = pieces[0].ToLowerInvariant();
            for (var i = 1; i < pieces.Length; i++)
            {
                var eq = pieces[i].IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    continue;
                }

                var key = pieces[i][..eq].Trim().ToLowerInvariant();
                var value = pieces[i][(eq + 1)..].Trim().Trim('"');
                if (key == "q" && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                {
                    q = parsed;
                }
                else if (key == "version")
                {
                    version = value;
                }
            }

            if (q <= 0)
            {
                continue;
            }

            ranges.Add((q, order++, Match(mediaType, version)));
        }

        foreach (var range in ranges.OrderByDescending(r => r.Q).ThenBy(r => r.Order))
        {
            if (range.Format is { } format)
            {
                return format;
            }
        }

        return Text;
    }

    private static NegotiatedFormat? Match(string mediaType, string? version) => mediaType switch
    {
        "application/openmetrics-text" => version switch
        {
            null or "" or "1.0.0" => new NegotiatedFormat(ExpositionFormat.OpenMetrics, OpenMetricsContentType),
            "0.0.1" => new NegotiatedFormat(ExpositionFormat.OpenMetrics, OpenMetrics001ContentType),
            _ => null,
        },
        "text/plain" => version is null or "" or "0.0.4" ? Text : null,
        "*/*" or "text/*" => Text,
        _ => null,
    };
}
