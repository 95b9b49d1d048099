namespace Exporters.Abstractions.Metrics;

/// <summary>Validation of metric and label names against the Prometheus data model.</summary>
public static class MetricNames
{
    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    /// <param name="name">The candidate metric name.</param>
    /// <returns><see langword="true"/> when the name is valid.</returns>
    public static bool IsValidMetricName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_][a-zA-Z0-9_]*</c> and is not reserved (<c>__</c> prefix).</summary>
    /// <param name="name">The candidate label name.</param>
    /// <returns><see langword="true"/> when the name is valid.</returns>
    public static bool IsValidLabelName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith("__", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
