using Exporters.Abstractions.Metrics;
using Exporters.Testing;

namespace Exporters.Elasticsearch.Tests;

internal static class TestSupport
{
    public static readonly ElasticsearchCollectorDefinition Definition = new();

    public static Dictionary<string, string?> AllOn(string uri) => new()
    {
        ["uri"] = uri,
        ["collectors:indices"] = "true",
        ["collectors:shards"] = "true",
        ["collectors:aliases"] = "true",
        ["collectors:indices_settings"] = "true",
        ["collectors:indices_mappings"] = "true",
        ["collectors:cluster_settings"] = "true",
        ["collectors:snapshots"] = "true",
        ["collectors:slm"] = "true",
        ["collectors:ilm"] = "true",
        ["collectors:data_stream"] = "true",
        ["collectors:health_report"] = "true",
        ["collectors:tasks"] = "true",
    };

    public static async Task<(string Text, MetricWriter Writer, CollectorHarness Harness)> ScrapeAsync(Dictionary<string, string?> settings, TimeSpan? timeout = null)
    {
        var harness = CollectorHarness.Create(Definition, settings);
        var writer = await harness.ScrapeAsync(timeout);
        return (CollectorHarness.Render(writer.Batch), writer, harness);
    }

    /// <summary>
    /// Like <see cref="ScrapeAsync"/>, but also returns how long the scrape alone took: the harness is built before the
    /// clock starts, so a deadline assertion measures the collector and not its set-up.
    /// </summary>
    public static async Task<(string Text, TimeSpan Elapsed, CollectorHarness Harness)> TimedScrapeAsync(Dictionary<string, string?> settings, TimeSpan timeout)
    {
        var harness = CollectorHarness.Create(Definition, settings);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var writer = await harness.ScrapeAsync(timeout);
        var elapsed = watch.Elapsed;
        return (CollectorHarness.Render(writer.Batch), elapsed, harness);
    }

    /// <summary>
    /// Drops lines whose values change from run to run (durations) and writes the fixture server's address and the
    /// retriever's read times as placeholders.
    /// </summary>
    public static string Stable(string exposition) =>
        string.Join('\n', exposition.Split('\n')
            .Where(l => !l.StartsWith("elasticsearch_scrape_duration_seconds{", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "url=\"http://127\\.0\\.0\\.1:[0-9]+\"", "url=\"http://127.0.0.1:PORT\""))
            .Select(l => l.StartsWith("elasticsearch_clusterinfo_last_retrieval_", StringComparison.Ordinal) ? l[..(l.LastIndexOf(' ') + 1)] + "TIME" : l));

    /// <summary>Family name to (type, sorted label names) from exposition text.</summary>
    public static Dictionary<string, (string Type, string Labels)> Families(string exposition)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var brace = line.IndexOf('{', StringComparison.Ordinal);
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var name = brace > 0 && brace < space ? line[..brace] : line[..space];
                if (result.ContainsKey(name))
                {
                    continue;
                }

                var labels = new List<string>();
                if (brace > 0 && brace < space)
                {
                    var body = line[(brace + 1)..line.LastIndexOf('}')];
                    foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(body, "([a-zA-Z_][a-zA-Z0-9_]*)=\""))
                    {
                        labels.Add(m.Groups[1].Value);
                    }
                }

                labels.Sort(StringComparer.Ordinal);
                result[name] = (types.GetValueOrDefault(name, "untyped"), string.Join(',', labels));
            }
        }

        return result;
    }

    public static double Value(string exposition, string seriesPrefix)
    {
        var line = exposition.Split('\n').Single(l => l.StartsWith(seriesPrefix + " ", StringComparison.Ordinal));
        return double.Parse(line[(seriesPrefix.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
