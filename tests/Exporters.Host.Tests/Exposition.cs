using System.Globalization;

namespace Exporters.Host.Tests;

/// <summary>Reads values out of exposition text in assertions.</summary>
internal static class Exposition
{
    /// <summary>The value of the series written exactly as <paramref name="series"/> (name and labels), or null.</summary>
    public static double? Value(string text, string series)
    {
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

    public static double Require(string text, string series) =>
        Value(text, series) ?? throw new Xunit.Sdk.XunitException($"series {series} not found in:\n{text}");
}
