using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests;

/// <summary>Whole-output comparison with golden exposition files reviewed by hand, one per fixture set.</summary>
public sealed class GoldenTests
{
    [Theory]
    [InlineData("es7")]
    [InlineData("es6")]
    public async Task Output_matches_golden_file(string set)
    {
        await using var server = await EsFixtureServer.StartAsync(set);
        var settings = set == "es7" ? TestSupport.AllOn(server.Uri) : new Dictionary<string, string?> { ["uri"] = server.Uri, ["collectors:cluster_settings"] = "true", ["collectors:snapshots"] = "true" };
        settings["index_filter:include_system"] = set == "es7" ? "false" : null;
        var (text, writer, harness) = await TestSupport.ScrapeAsync(settings);
        await using var _ = harness;
        Assert.Equal(0, writer.RejectedSamples);
        var actual = TestSupport.Stable(text);
        var goldenPath = Path.Combine(AppContext.BaseDirectory, "golden", set + ".prom");
        var sourcePath = Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.Elasticsearch.Tests", "golden", set + ".prom");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sourcePath)!);
            await File.WriteAllTextAsync(sourcePath, actual);
            return;
        }

        Assert.True(File.Exists(goldenPath), $"golden file {sourcePath} is missing; run with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(await File.ReadAllTextAsync(goldenPath), actual);
    }

    [Theory]
    [InlineData("es7")]
    [InlineData("es6")]
    public async Task Output_passes_promtool(string set)
    {
        await using var server = await EsFixtureServer.StartAsync(set);
        var (text, _, harness) = await TestSupport.ScrapeAsync(TestSupport.AllOn(server.Uri));
        await using var _ = harness;
        var (code, output) = await Promtool.CheckMetricsAsync(text);

        // Names inherited from elasticsearch_exporter break promtool's naming lints (counters without _total,
        // gauges ending in _count or _total); dashboards depend on them, so only those lints are tolerated.
        // Anything else (a parse error, a duplicate series, a missing HELP) fails.
        string[] inherited = ["counter metrics should have \"_total\" suffix", "non-counter metrics should not have \"_total\" suffix", "non-histogram and non-summary metrics should not have \"_count\" suffix", "non-histogram and non-summary metrics should not have \"_sum\" suffix"];
        var other = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !inherited.Any(l.EndsWith)).ToList();
        Assert.True(other.Count == 0, string.Join('\n', other));
        Assert.True(code == 0 || output.Length > 0, "promtool failed without saying why");
    }

    [Fact]
    public async Task Every_sub_collector_succeeds_on_the_fixtures()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(TestSupport.AllOn(server.Uri));
        await using var _ = harness;
        foreach (var (label, _, _) in ElasticsearchCollectorDefinition.SubCollectors)
        {
            Assert.Equal(1, TestSupport.Value(text, $"elasticsearch_scrape_success{{collector=\"{label}\"}}"));
        }

        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
    }
}
