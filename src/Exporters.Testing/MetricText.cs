using System.Globalization;

namespace Exporters.Testing;

/// <summary>Reads values out of exposition text in assertions.</summary>
public static class MetricText
{
    /// <summary>The value of the series written exactly as <paramref name="series"/> (name and labels), or null.</summary>
    /// <param name="text">Exposition text.</param>
    /// <param name="series">The series, for example <c>redis_up</c> or <c>a{b="c"}</c>.</param>
    /// <returns>The value, or null when absent.</returns>
    public static double? Value(string text, string series)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(series);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                var value = line[(series.Length + 1)..].Trim();
                return value switch
                {
                    "NaN" => double.NaN,
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    _ => double.Parse(value, CultureInfo.InvariantCulture),
                };
            }
        }

        return null;
    }

    /// <summary>The value of <paramref name="series"/>; fails the test when it is absent.</summary>
    /// <param name="text">Exposition text.</param>
    /// <param name="series">The series.</param>
    /// <returns>The value.</returns>
    public static double Require(string text, string series) =>
        Value(text, series) ?? throw new InvalidOperationException($"series {series} not found in:\n{text}");
}
