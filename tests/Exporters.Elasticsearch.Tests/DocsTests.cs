using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests;

/// <summary>docs/metrics/elasticsearch.md lists every family the collector declares; run with UPDATE_DOCS=1 to regenerate the table.</summary>
public sealed class DocsTests
{
    private const string Start = "<!-- families:start -->";
    private const string End = "<!-- families:end -->";

    private static readonly Dictionary<string, string> Sources = new(StringComparer.Ordinal)
    {
        ["(self)"] = "every request",
        ["cluster-health"] = "`GET /_cluster/health`",
        ["nodes"] = "`GET /_nodes/<node>/stats`",
        ["cluster-info"] = "`GET /`",
        ["(retriever)"] = "`GET /` every `clusterinfo_interval`",
        ["indices"] = "`GET /_all/_stats`",
        ["shards"] = "`GET /_all/_stats?level=shards`, `GET /_cat/shards`",
        ["aliases"] = "`GET /_alias`",
        ["indices-settings"] = "`GET /_all/_settings`",
        ["indices-mappings"] = "`GET /_all/_mappings`",
        ["cluster-settings"] = "`GET /_cluster/settings?include_defaults=true`",
        ["snapshots"] = "`GET /_snapshot`, `GET /_snapshot/<repository>/_all`",
        ["slm"] = "`GET /_slm/stats`, `GET /_slm/status`",
        ["ilm"] = "`GET /_all/_ilm/explain`, `GET /_ilm/status`",
        ["data-stream"] = "`GET /_data_stream/*/_stats`",
        ["health-report"] = "`GET /_health_report`",
        ["tasks"] = "`GET /_tasks`",
    };

    [Fact]
    public async Task Metrics_page_lists_every_family()
    {
        var table = new StringBuilder();
        table.Append("| Family | Type | Labels | Source API | Sub-collector |\n|---|---|---|---|---|\n");
        foreach (var (collector, definition) in ElasticsearchCollector.AllFamilies)
        {
            var type = definition.Type switch { MetricType.Counter => "counter", MetricType.Gauge => "gauge", _ => definition.Type.ToString().ToLowerInvariant() };
            var labels = definition.LabelNames.Count == 0 ? "" : string.Join(", ", definition.LabelNames.Select(l => $"`{l}`"));
            var source = collector == "shards" && definition.Name == "elasticsearch_node_shards_total" ? "`GET /_cat/shards`" : collector == "shards" ? "`GET /_all/_stats?level=shards`" : Sources[collector];
            table.Append($"| `{definition.Name}` | {type} | {labels} | {source} | {collector} |\n");
        }

        var path = Path.Combine(Tools.RepositoryRoot(), "docs", "metrics", "elasticsearch.md");
        var page = await File.ReadAllTextAsync(path);
        var start = page.IndexOf(Start, StringComparison.Ordinal) + Start.Length;
        var end = page.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start > Start.Length - 1 && end > start, "markers missing in " + path);
        var expected = string.Concat(page.AsSpan(0, start), "\n", table.ToString(), page.AsSpan(end));
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(path, expected);
            return;
        }

        Assert.Equal(expected, page);
    }
}
