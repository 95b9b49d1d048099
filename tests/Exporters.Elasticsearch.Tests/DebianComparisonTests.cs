using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Runs Debian's prometheus-elasticsearch-exporter (1.5) and our collector against the same fixture server and
/// checks that every family it exposes is exposed by ours with the same type and label names, except the
/// deliberate differences listed here with their reasons.
/// </summary>
public sealed class DebianComparisonTests
{
    /// <summary>Families of theirs we do not expose, and why.</summary>
    private static readonly Dictionary<string, string> NotExposed = new(StringComparer.Ordinal)
    {
        ["elasticsearch_exporter_build_info"] = "the host reports its own build info",
        ["elasticsearch_os_mem_actual_free_bytes"] = "field exists only in Elasticsearch 1.x; theirs reports 0 for a missing field, ours reports nothing (absent is not zero)",
        ["elasticsearch_os_mem_actual_used_bytes"] = "as above (Elasticsearch 1.x field)",
        ["elasticsearch_process_mem_resident_size_bytes"] = "field absent from modern node stats; absent is not zero",
        ["elasticsearch_process_mem_share_size_bytes"] = "field absent from modern node stats; absent is not zero",
        ["elasticsearch_indices_filter_cache_memory_size_bytes"] = "Elasticsearch 1.x field; absent is not zero",
        ["elasticsearch_indices_filter_cache_evictions"] = "Elasticsearch 1.x field; absent is not zero",
        ["elasticsearch_indices_store_throttle_time_seconds_total"] = "indices.store.throttle_time_in_millis was removed in Elasticsearch 6; absent is not zero",
        ["elasticsearch_slm_stats_operation_mode"] = "the captured /_slm/status is {}; ours does not invent a mode when none is given",
    };

    /// <summary>Families where ours adds labels, and why.</summary>
    private static readonly Dictionary<string, string[]> AddedLabels = new(StringComparer.Ordinal)
    {
        ["elasticsearch_nodes_roles"] = ["node"],
    };

    private const string ClusterLabelReason = "the cluster label is on every family that describes the cluster, so multi-cluster dashboards can join on it";

    /// <summary>Families whose type we take from the newer anchor table rather than from Debian's 1.5.</summary>
    private static readonly Dictionary<string, string> TypeFromAnchor = new(StringComparer.Ordinal)
    {
        ["elasticsearch_indices_translog_size_in_bytes"] = "gauge",
    };

    [Fact]
    public async Task Every_family_of_debians_exporter_is_exposed_with_the_same_type_and_labels()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var port = Tools.FreePort();
        await using var theirs = ExternalProcess.Start("prometheus-elasticsearch-exporter",
        [
            $"--web.listen-address=127.0.0.1:{port}", $"--es.uri={server.Uri}", "--es.all", "--es.indices", "--es.indices_settings",
            "--es.indices_mappings", "--es.aliases", "--es.shards", "--es.cluster_settings", "--es.snapshots", "--es.slm", "--es.data_stream",
        ]);
        await theirs.WaitForPortAsync(port);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var theirText = string.Empty;
        for (var attempt = 0; attempt < 20 && !theirText.Contains("cluster=\"docker-cluster\",index=", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 250);
            theirText = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        }

        var settings = TestSupport.AllOn(server.Uri);
        settings["all_nodes"] = "true";
        var (ourText, _, harness) = await TestSupport.ScrapeAsync(settings);
        await using var _ = harness;

        var their = TestSupport.Families(theirText).Where(f => f.Key.StartsWith("elasticsearch_", StringComparison.Ordinal));
        var ours = TestSupport.Families(ourText);
        var problems = new List<string>();
        var compared = 0;
        foreach (var (name, (type, labels)) in their)
        {
            if (NotExposed.ContainsKey(name) || IsSelfMetric(name))
            {
                continue;
            }

            if (!ours.TryGetValue(name, out var mine))
            {
                problems.Add($"{name}: missing");
                continue;
            }

            compared++;
            var expectedType = TypeFromAnchor.GetValueOrDefault(name, type);
            if (mine.Type != expectedType)
            {
                problems.Add($"{name}: type {mine.Type}, theirs {type}");
            }

            var expectedLabels = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            // The cluster-info retriever's families labelled only with url stay as they are, as in 1.11.
            if (!expectedLabels.Contains("cluster") && !name.StartsWith("elasticsearch_scrape_", StringComparison.Ordinal) && !expectedLabels.SequenceEqual(["url"]))
            {
                // Deliberate: ClusterLabelReason.
                expectedLabels.Add("cluster");
            }

            expectedLabels.AddRange(AddedLabels.GetValueOrDefault(name, []));
            var expected = string.Join(',', expectedLabels.Distinct().Order(StringComparer.Ordinal));
            if (mine.Labels != expected)
            {
                problems.Add($"{name}: labels {mine.Labels}, expected {expected}");
            }
        }

        Assert.True(compared > 150, $"only {compared} families compared; their output:\n{theirText[..Math.Min(2000, theirText.Length)]}");
        Assert.True(problems.Count == 0, ClusterLabelReason + "\n" + string.Join('\n', problems));
    }

    /// <summary>Their per-collector self metrics (up, scrape counters, parse failures) are replaced by elasticsearch_up and elasticsearch_scrape_success{collector}.</summary>
    private static bool IsSelfMetric(string name) =>
        name.EndsWith("_up", StringComparison.Ordinal) && name != "elasticsearch_up"
        || name.EndsWith("_total_scrapes", StringComparison.Ordinal)
        || name.EndsWith("_scrapes_total", StringComparison.Ordinal)
        || name.Contains("_json_parse_failures", StringComparison.Ordinal);
}
