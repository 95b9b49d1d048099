using System.Globalization;
using System.Text.RegularExpressions;
using Exporters.Abstractions.Metrics;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Alertmanager.Tests;

internal static partial class Support
{
    public static readonly AlertmanagerCollectorDefinition Definition = new();

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "newer", name));

    public static string Render(MetricWriter writer) => CollectorHarness.Render(writer.Batch);

    /// <summary>The value of the series written exactly as <paramref name="series"/> (name and labels as rendered), or null.</summary>
    public static double? Value(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                var value = line[(series.Length + 1)..];
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

    public static double Require(string text, string series) => Value(text, series) ?? throw new Xunit.Sdk.XunitException($"series {series} missing from:\n{text}");

    /// <summary>Lines of a family (samples only).</summary>
    public static string[] Samples(string text, string family) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#' && SampleName().Match(l).Value == family)];

    /// <summary>Samples of a family as (series, value), so numbers compare by value whatever their spelling.</summary>
    public static (string Series, double Value)[] Parsed(string text, string family) =>
        [.. Samples(text, family).Select(l => (l[..l.LastIndexOf(' ')], double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))];

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    /// <summary>A scripted server answering API v2 paths from a dictionary (path → response).</summary>
    public static ScriptedHttpServer ApiServer(Func<string, ScriptedResponse?> overrides)
    {
        return new ScriptedHttpServer(requestLine =>
        {
            var path = requestLine.Split(' ')[1];
            var custom = overrides(path);
            if (custom is not null)
            {
                return custom;
            }

            return path switch
            {
                "/api/v2/status" => new ScriptedResponse(200, Fixture("status.json")),
                "/api/v2/alerts" => new ScriptedResponse(200, Fixture("alerts.json")),
                "/api/v2/silences" => new ScriptedResponse(200, Fixture("silences.json")),
                "/api/v2/receivers" => new ScriptedResponse(200, Fixture("receivers.json")),
                "/api/v2/alerts/groups" => new ScriptedResponse(200, Fixture("groups.json")),
                "/metrics" => new ScriptedResponse(200, "# HELP alertmanager_alerts How many alerts by state.\n# TYPE alertmanager_alerts gauge\nalertmanager_alerts{state=\"active\"} 1\n", "text/plain; version=0.0.4; charset=utf-8"),
                _ => new ScriptedResponse(404, "not found", "text/plain"),
            };
        });
    }
}
