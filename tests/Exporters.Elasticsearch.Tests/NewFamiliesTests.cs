using System.Text.Json.Nodes;
using Exporters.Elasticsearch.Tests.Aws;
using Exporters.Testing;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// The families elasticsearch_exporter 1.11 added or changed, on captured responses: the tasks collector, the index
/// indexing and refresh families of #1125, number_of_shards, the cluster-info retriever, the health report's
/// spelling and stagnating indices, the data-tier fix of #1224, aliases and shards per node with --es.indices.
/// Expected values are those elasticsearch_exporter's own tests expect on the same captures.
/// </summary>
public sealed class NewFamiliesTests
{
    private static string Fixture(params string[] parts) => Path.Combine([EsFixtureServer.DefaultFixtureDirectory(), .. parts]);

    [Fact]
    public async Task Tasks_are_counted_per_action_on_a_captured_response()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:tasks"] = "true" });
        await using var _ = harness;

        // elasticsearch_exporter's TestTasks expects 1, 4 and 1 on this capture.
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_task_stats_action{cluster=\"docker-cluster\",action=\"indices:admin/auto_create\"}"));
        Assert.Equal(4, TestSupport.Value(text, "elasticsearch_task_stats_action{cluster=\"docker-cluster\",action=\"indices:admin/index_template/put\"}"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_task_stats_action{cluster=\"docker-cluster\",action=\"indices:data/write/index\"}"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"tasks\"}"));
        Assert.Contains(server.Requests, r => r == "/_tasks?group_by=none&actions=indices%3A%2A");
    }

    [Fact]
    public async Task Tasks_actions_flag_sets_the_task_filter()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var text = await DropInHost.ScrapeAsync([$"--es.uri={server.Uri}", "--collector.tasks", "--tasks.actions=cluster:monitor/*,indices:data/*"], []);
        Assert.Contains("elasticsearch_task_stats_action{cluster=\"docker-cluster\",action=\"indices:data/write/index\"} 1", text, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r == "/_tasks?group_by=none&actions=" + Uri.EscapeDataString("cluster:monitor/*,indices:data/*"));
    }

    [Fact]
    public async Task Index_indexing_and_refresh_families_of_1_11_on_the_captured_7_17_index_stats()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true", ["index_filter:include_system"] = "true" });
        await using var _ = harness;
        string Series(string family, string index) => $"elasticsearch_index_stats_{family}{{cluster=\"docker-cluster\",index=\"{index}\"}}";

        // The values elasticsearch_exporter's TestIndices expects for this capture.
        Assert.Equal(3, TestSupport.Value(text, Series("refresh_external_total", "foo_1")));
        Assert.Equal(0.008, TestSupport.Value(text, Series("refresh_external_time_seconds_total", "foo_1")));
        Assert.Equal(6, TestSupport.Value(text, Series("refresh_external_total", ".geoip_databases")));
        Assert.Equal(0.045, TestSupport.Value(text, Series("refresh_external_time_seconds_total", ".geoip_databases")));
        Assert.Equal(0, TestSupport.Value(text, Series("indexing_index_failed_total", "foo_1")));
        Assert.Equal(0, TestSupport.Value(text, Series("indexing_delete_current", "foo_1")));
        Assert.Equal(0, TestSupport.Value(text, Series("indexing_is_throttled", "foo_1")));
        Assert.Contains("# TYPE elasticsearch_index_stats_refresh_external_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE elasticsearch_index_stats_indexing_is_throttled gauge", text, StringComparison.Ordinal);

        // No captured index stats has write_load (8.6+), and 7.17 sends none: absent, not zero.
        Assert.DoesNotContain("elasticsearch_index_stats_indexing_write_load{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_load_and_throttling_are_read_when_the_server_reports_them()
    {
        // The captured 7.17 index stats with the two fields an 8.x server under load reports; no capture has them.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Fixture("indices", "7.17.3.json")))!;
        var indexing = json["indices"]!["foo_1"]!["total"]!["indexing"]!;
        indexing["write_load"] = 0.0017084311790057697;
        indexing["is_throttled"] = true;
        await using var server = await EsFixtureServer.StartAsync("es7", new Dictionary<string, RequestDelegate> { ["/_all/_stats"] = EsFixtureServer.Body(json.ToJsonString()) });
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true" });
        await using var _ = harness;
        Assert.Equal(0.0017084311790057697, TestSupport.Value(text, "elasticsearch_index_stats_indexing_write_load{cluster=\"docker-cluster\",index=\"foo_1\"}"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_index_stats_indexing_is_throttled{cluster=\"docker-cluster\",index=\"foo_1\"}"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_index_stats_indexing_is_throttled{cluster=\"docker-cluster\",index=\"foo_2\"}"));
    }

    [Fact]
    public async Task Number_of_shards_is_reported_per_index_from_the_captured_settings()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices_settings"] = "true" });
        await using var _ = harness;

        // elasticsearch_exporter's TestIndicesSettings: facebook 10, the others 5.
        Assert.Equal(10, TestSupport.Value(text, "elasticsearch_indices_settings_shards{cluster=\"docker-cluster\",index=\"facebook\"}"));
        foreach (var index in (string[])["instagram", "twitter", "viber"])
        {
            Assert.Equal(5, TestSupport.Value(text, $"elasticsearch_indices_settings_shards{{cluster=\"docker-cluster\",index=\"{index}\"}}"));
        }
    }

    [Fact]
    public async Task Health_report_has_the_anchors_spelling_beside_the_correct_one()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:health_report"] = "true" });
        await using var _ = harness;
        foreach (var family in (string[])["elasticsearch_health_report_shards_availabilty_status", "elasticsearch_health_report_shards_availability_status"])
        {
            Assert.Equal(1, TestSupport.Value(text, $"{family}{{cluster=\"docker-cluster\",color=\"green\"}}"));
            Assert.Equal(0, TestSupport.Value(text, $"{family}{{cluster=\"docker-cluster\",color=\"red\"}}"));
        }

        // The 8.7 capture's ILM indicator has no stagnating_indices yet: absent, not zero.
        Assert.DoesNotContain("elasticsearch_health_report_ilm_stagnating_indices{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stagnating_indices_are_read_when_the_ilm_indicator_reports_them()
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Fixture("healthreport", "8.7.0.json")))!;
        json["indicators"]!["ilm"]!["details"]!["stagnating_indices"] = 2;
        await using var server = await EsFixtureServer.StartAsync("es7", new Dictionary<string, RequestDelegate> { ["/_health_report"] = EsFixtureServer.Body(json.ToJsonString()) });
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:health_report"] = "true" });
        await using var _ = harness;
        Assert.Equal(2, TestSupport.Value(text, "elasticsearch_health_report_ilm_stagnating_indices{cluster=\"docker-cluster\"}"));
        Assert.Equal(17, TestSupport.Value(text, "elasticsearch_health_report_ilm_policies{cluster=\"docker-cluster\"}"));
    }

    [Theory]
    [InlineData(new[] { "data_hot", "ingest" }, "true")]
    [InlineData(new[] { "data_content" }, "true")]
    [InlineData(new[] { "data_frozen", "remote_cluster_client" }, "true")]
    [InlineData(new[] { "master", "ingest" }, "false")]
    public async Task A_node_with_only_data_tier_roles_is_a_data_node(string[] roles, string dataNode)
    {
        await using var server = await EsFixtureServer.StartAsync("es7", new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = DropInHost.NodeWithRoles(roles) });
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        var load = text.Split('\n').Single(l => l.StartsWith("elasticsearch_os_load1{", StringComparison.Ordinal));
        Assert.Contains($"es_data_node=\"{dataNode}\"", load, StringComparison.Ordinal);

        // Every role elasticsearch_exporter knows is reported, 1 when the node has it.
        Assert.Equal(roles.Contains("data_hot") ? 1 : 0, TestSupport.Value(text, "elasticsearch_nodes_roles{cluster=\"docker-cluster\",host=\"172.17.0.2\",name=\"aaf5a8a0bceb\",node=\"byoDEtBRSRGZyMKaIpmhCQ\",role=\"data_hot\"}"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_nodes_roles{cluster=\"docker-cluster\",host=\"172.17.0.2\",name=\"aaf5a8a0bceb\",node=\"byoDEtBRSRGZyMKaIpmhCQ\",role=\"ml\"}"));
    }

    [Fact]
    public async Task Indices_bring_aliases_and_shards_per_node_unless_aliases_are_switched_off()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true" });
        await using (harness)
        {
            Assert.Equal(1, TestSupport.Value(text, "elasticsearch_indices_aliases{cluster=\"docker-cluster\",index=\"foo_2\",alias=\"foo_alias_2_1\"}"));
            Assert.Contains("elasticsearch_node_shards_total{cluster=\"docker-cluster\",node=", text, StringComparison.Ordinal);
        }

        var (off, _, offHarness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true", ["collectors:aliases"] = "false" });
        await using (offHarness)
        {
            Assert.DoesNotContain("elasticsearch_indices_aliases", off, StringComparison.Ordinal);
        }

        // Without indices, aliases run only when asked for explicitly.
        var (alone, _, aloneHarness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using (aloneHarness)
        {
            Assert.DoesNotContain("elasticsearch_indices_aliases", alone, StringComparison.Ordinal);
        }

        var (asked, _, askedHarness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:aliases"] = "true" });
        await using (askedHarness)
        {
            Assert.Contains("elasticsearch_indices_aliases{", asked, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_cluster_info_retriever_reads_at_its_interval_and_reports_failures()
    {
        var time = new ManualTime(new DateTimeOffset(2026, 9, 1, 12, 0, 0, TimeSpan.Zero));
        var failing = false;
        var overrides = new Dictionary<string, RequestDelegate>
        {
            ["/"] = async context =>
            {
                if (failing)
                {
                    await EsFixtureServer.Error(503, "master_not_discovered_exception", "no master")(context);
                    return;
                }

                await context.Response.SendFileAsync(Fixture("clusterinfo", "7.13.1.json"));
            },
        };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);

        // Only the retriever reads GET / here, so the requests to / count its reads.
        await using var harness = CollectorHarness.Create(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = server.Uri, ["collectors:cluster_info"] = "false", ["clusterinfo_interval"] = "5m" }, timeProvider: time);
        async Task<string> Scrape() => CollectorHarness.Render((await harness.ScrapeAsync()).Batch);
        int Reads() => server.Requests.Count(r => r == "/");
        var url = $"url=\"{server.Uri}\"";
        var started = time.Now.ToUnixTimeSeconds();

        var first = await Scrape();
        Assert.Equal(1, Reads());
        Assert.Equal(1, TestSupport.Value(first, $"elasticsearch_clusterinfo_up{{{url}}}"));
        Assert.Equal(started, TestSupport.Value(first, $"elasticsearch_clusterinfo_last_retrieval_success_ts{{{url}}}"));
        Assert.Contains("elasticsearch_clusterinfo_version_info{cluster=\"docker-cluster\",cluster_uuid=\"aCMrCY1VQpqJ6U4Sw_xdiw\",build_date=\"2021-05-28T17:40:59.346932922Z\",build_hash=\"9a7758028e4ea59bcab41c12004603c5a7dd84a9\",version=\"7.13.1\",lucene_version=\"8.8.2\"} 1", first, StringComparison.Ordinal);
        Assert.DoesNotContain("elasticsearch_clusterinfo_last_retrieval_failure_ts", first, StringComparison.Ordinal);

        // Within the interval nothing is read; the last values stay.
        time.Advance(TimeSpan.FromMinutes(4));
        failing = true;
        var second = await Scrape();
        Assert.Equal(1, Reads());
        Assert.Equal(1, TestSupport.Value(second, $"elasticsearch_clusterinfo_up{{{url}}}"));

        // Past it, the retriever reads again; the failure is reported and the last success kept.
        time.Advance(TimeSpan.FromMinutes(1));
        var third = await Scrape();
        Assert.Equal(2, Reads());
        Assert.Equal(0, TestSupport.Value(third, $"elasticsearch_clusterinfo_up{{{url}}}"));
        Assert.Equal(started + 300, TestSupport.Value(third, $"elasticsearch_clusterinfo_last_retrieval_failure_ts{{{url}}}"));
        Assert.Equal(started, TestSupport.Value(third, $"elasticsearch_clusterinfo_last_retrieval_success_ts{{{url}}}"));

        // The retriever's failure is its own: the other sub-collectors still succeed.
        Assert.Equal(1, TestSupport.Value(third, "elasticsearch_up"));
        Assert.Equal(1, TestSupport.Value(third, "elasticsearch_scrape_success{collector=\"nodes\"}"));
    }

    [Fact]
    public async Task The_retrievers_interval_comes_from_the_flag_and_probes_have_no_retriever()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (options, errors) = CollectorHarness.BindOptions(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = server.Uri, ["clusterinfo_interval"] = "30s" });
        Assert.False(errors.HasErrors);
        Assert.Equal(TimeSpan.FromSeconds(30), ((ElasticsearchOptions)options).ClusterInfoInterval.Value);

        await using var harness = CollectorHarness.Create(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = server.Uri });
        var probe = CollectorHarness.Render((await harness.ScrapeAsync(target: server.Uri)).Batch);
        Assert.Equal(1, TestSupport.Value(probe, "elasticsearch_up"));
        Assert.DoesNotContain("elasticsearch_clusterinfo_", probe, StringComparison.Ordinal);

        var text = await DropInHost.ScrapeAsync([$"--es.uri={server.Uri}", "--es.clusterinfo.interval=1m"], []);
        Assert.Contains($"elasticsearch_clusterinfo_up{{url=\"{server.Uri}\"}} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slm_operation_mode_is_written_when_the_status_has_one()
    {
        // The SLM status answers {"operation_mode": ...} as ILM's does; the ILM status capture stands in for it,
        // the captured SLM status being empty.
        await using var server = await EsFixtureServer.StartAsync("es7", files: new Dictionary<string, string> { ["/_slm/status"] = "ilm_status/6.6.0.json" });
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:slm"] = "true" });
        await using var _ = harness;
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_slm_stats_operation_mode{cluster=\"docker-cluster\",operation_mode=\"RUNNING\"}"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_slm_stats_operation_mode{cluster=\"docker-cluster\",operation_mode=\"STOPPED\"}"));
    }

    [Fact]
    public async Task Byte_watermarks_and_disk_io_come_from_the_captures_that_have_them()
    {
        await using var server = await EsFixtureServer.StartAsync("es7", files: new Dictionary<string, string>
        {
            ["/_nodes/_local/stats"] = EsFixtureServer.LocalFixture("nodestats/5.6.16.json"),
            ["/_cluster/settings"] = EsFixtureServer.LocalFixture("settings-persistent-clustermaxshardspernode-7.17.5.json"),
        });
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:cluster_settings"] = "true" });
        await using var _ = harness;

        // The values elasticsearch_exporter's tests expect on these captures.
        Assert.Equal(100, TestSupport.Value(text, "elasticsearch_clustersettings_allocation_watermark_flood_stage_bytes{cluster=\"docker-cluster\"}"));
        Assert.Equal(2.147483648e+11, TestSupport.Value(text, "elasticsearch_clustersettings_allocation_watermark_high_bytes{cluster=\"docker-cluster\"}"));
        Assert.Equal(5.24288e+07, TestSupport.Value(text, "elasticsearch_clustersettings_allocation_watermark_low_bytes{cluster=\"docker-cluster\"}"));
        Assert.Contains("elasticsearch_filesystem_io_stats_device_operations_count{cluster=\"docker-cluster\",host=\"127.0.0.1\",name=\"bVrN1Hx\",es_master_node=\"true\",es_data_node=\"true\",es_ingest_node=\"true\",es_client_node=\"true\",device=\"dm-2\"} 2517", text, StringComparison.Ordinal);
    }
}
