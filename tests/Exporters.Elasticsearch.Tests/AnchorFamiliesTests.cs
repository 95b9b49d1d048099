using System.Text.Json.Nodes;
using Exporters.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Every family of elasticsearch_exporter 1.11 (anchor/elasticsearch_exporter-1.11-families.tsv, read from its source
/// and test data) against what this collector writes on captured responses with the same flags: the same name, type
/// and labels, the cluster label added, except for the differences listed here with their reasons.
/// </summary>
public sealed class AnchorFamiliesTests
{
    /// <summary>Families of 1.11 not written here, and why.</summary>
    private static readonly Dictionary<string, string> NotWritten = new(StringComparer.Ordinal)
    {
        ["elasticsearch_exporter_build_info"] = "the host reports exporter_build_info for the whole exporter",
        ["elasticsearch_node_shards_json_parse_failures"] = "a response that does not parse fails the sub-collector, which elasticsearch_scrape_success{collector=\"shards\"} reports",
        ["elasticsearch_os_mem_actual_free_bytes"] = "Elasticsearch 1.x field; 1.11 reports 0 when it is missing, this collector reports nothing (absent is not zero)",
        ["elasticsearch_os_mem_actual_used_bytes"] = "as above",
        ["elasticsearch_process_mem_resident_size_bytes"] = "field absent from modern node stats; absent is not zero",
        ["elasticsearch_process_mem_share_size_bytes"] = "field absent from modern node stats; absent is not zero",
        ["elasticsearch_indices_filter_cache_memory_size_bytes"] = "Elasticsearch 1.x field; absent is not zero",
        ["elasticsearch_indices_filter_cache_evictions"] = "Elasticsearch 1.x field; absent is not zero",
    };

    /// <summary>
    /// Families written only when the server sends a field that none of the captures has, or after an event: not
    /// in the comparison's output, each covered by the test named.
    /// </summary>
    private static readonly Dictionary<string, string> Conditional = new(StringComparer.Ordinal)
    {
        ["elasticsearch_slm_stats_operation_mode"] = "the captured /_slm/status is {}: NewFamiliesTests.Slm_operation_mode_is_written_when_the_status_has_one",
        ["elasticsearch_index_stats_indexing_write_load"] = "8.6+ field, in no captured index stats: NewFamiliesTests.Write_load_and_throttling_are_read_when_the_server_reports_them",
        ["elasticsearch_health_report_ilm_stagnating_indices"] = "not in the 8.7 health report capture: NewFamiliesTests.Stagnating_indices_are_read_when_the_ilm_indicator_reports_them",
        ["elasticsearch_clusterinfo_last_retrieval_failure_ts"] = "written after a failed read: NewFamiliesTests.The_cluster_info_retriever_reads_at_its_interval_and_reports_failures",
    };

    /// <summary>Families where this collector has more labels than 1.11 (besides cluster), and why.</summary>
    private static readonly Dictionary<string, string[]> AddedLabels = new(StringComparer.Ordinal);

    /// <summary>Families whose labels stay exactly as in 1.11: no cluster label is added.</summary>
    private static readonly HashSet<string> NoClusterLabel =
    [
        "elasticsearch_scrape_duration_seconds",
        "elasticsearch_scrape_success",
        "elasticsearch_clusterinfo_up",
        "elasticsearch_clusterinfo_last_retrieval_success_ts",
        "elasticsearch_clusterinfo_last_retrieval_failure_ts",
    ];

    internal static IReadOnlyList<(string Family, string Type, string Labels, string Flags)> Anchor()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "anchor", "elasticsearch_exporter-1.11-families.tsv");
        return
        [
            .. File.ReadAllLines(path)
                .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("family\t", StringComparison.Ordinal))
                .Select(l => l.Split('\t'))
                .Select(p => (p[0], p[1], p[2], p[3])),
        ];
    }

    [Fact]
    public void The_family_list_covers_every_flag_of_the_anchor()
    {
        var families = Anchor();
        Assert.True(families.Count > 280, $"only {families.Count} families in the list");
        Assert.Equal(
            ["(default)", "--collector.clustersettings", "--collector.data-stream", "--collector.health-report", "--collector.ilm", "--collector.slm", "--collector.snapshots", "--collector.tasks", "--es.indices", "--es.indices_mappings", "--es.indices_settings", "--es.shards"],
            families.Select(f => f.Flags).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_family_of_1_11_is_written_with_its_type_and_labels()
    {
        // The 7.x captures, then the two that alone have some fields: 5.6 node stats (fs.io_stats) and 7.17 cluster
        // settings with byte watermarks; all elasticsearch_exporter's own test fixtures.
        var ours = new Dictionary<string, (string Type, string Labels)>(StringComparer.Ordinal);
        foreach (var files in (Dictionary<string, string>[])
        [
            [],
            new() { ["/_nodes/_local/stats"] = EsFixtureServer.LocalFixture("nodestats/5.6.16.json"), ["/_cluster/settings"] = EsFixtureServer.LocalFixture("settings-persistent-clustermaxshardspernode-7.17.5.json") },
        ])
        {
            await using var server = await EsFixtureServer.StartAsync("es7", files: files);
            var settings = TestSupport.AllOn(server.Uri);
            settings["index_filter:include_system"] = "true";
            var (text, writer, harness) = await TestSupport.ScrapeAsync(settings);
            await using var _ = harness;
            Assert.Equal(0, writer.RejectedSamples);
            Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
            foreach (var (name, family) in TestSupport.Families(text))
            {
                if (ours.TryGetValue(name, out var seen))
                {
                    Assert.Equal(seen, family);
                }

                ours[name] = family;
            }
        }

        var problems = new List<string>();
        var compared = 0;
        foreach (var (family, type, labels, _) in Anchor())
        {
            if (NotWritten.ContainsKey(family) || Conditional.ContainsKey(family))
            {
                Assert.False(ours.ContainsKey(family), $"{family} is listed as not written here but is; take it off the list");
                continue;
            }

            if (!ours.TryGetValue(family, out var mine))
            {
                problems.Add($"{family}: missing");
                continue;
            }

            compared++;
            if (mine.Type != type)
            {
                problems.Add($"{family}: type {mine.Type}, 1.11 {type}");
            }

            var expected = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (!NoClusterLabel.Contains(family))
            {
                // Deliberate: the cluster label is on every family that describes the cluster.
                expected.Add("cluster");
            }

            expected.AddRange(AddedLabels.GetValueOrDefault(family, []));
            var expectedText = string.Join(',', expected.Distinct().Order(StringComparer.Ordinal));
            if (mine.Labels != expectedText)
            {
                problems.Add($"{family}: labels {mine.Labels}, expected {expectedText}");
            }
        }

        Assert.True(compared > 270, $"only {compared} families compared");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("(default)")]
    [InlineData("--es.indices")]
    [InlineData("--es.indices_settings")]
    [InlineData("--collector.tasks")]
    [InlineData("--collector.health-report")]
    public async Task The_anchors_flags_bring_their_families_through_the_host(string flag)
    {
        // Through the real command line: the families a flag brings in 1.11 appear with that flag here too (those
        // only the 5.6 node stats capture has are left to the test above).
        await using var server = await EsFixtureServer.StartAsync("es7");
        string[] flags = flag == "(default)" ? [$"--es.uri={server.Uri}"] : [$"--es.uri={server.Uri}", flag];
        var text = await DropInHost.ScrapeAsync(flags, new Dictionary<string, string?>());
        var ours = TestSupport.Families(text);
        var missing = Anchor()
            .Where(f => f.Flags == flag && !NotWritten.ContainsKey(f.Family) && !Conditional.ContainsKey(f.Family))
            .Where(f => !f.Family.StartsWith("elasticsearch_filesystem_io_stats_", StringComparison.Ordinal) && f.Family != "elasticsearch_indices_store_throttle_time_seconds_total")
            .Where(f => !ours.ContainsKey(f.Family))
            .Select(f => f.Family)
            .ToList();
        Assert.True(missing.Count == 0, $"with {flag}: " + string.Join(", ", missing));
    }
}

/// <summary>Runs the stock composition under the name elasticsearch_exporter, as the image's symlink starts it.</summary>
internal static class DropInHost
{
    /// <summary>
    /// The builder: the stock one, or with <paramref name="aws"/> only the elasticsearch collector (reading AWS
    /// variables from there rather than from the process) and its profile.
    /// </summary>
    public static Hosting.ExporterApplicationBuilder Builder(string[] flags, Dictionary<string, string?> environment, Elasticsearch.Aws.AwsEnvironment? aws = null)
    {
        Hosting.ExporterApplicationBuilder builder;
        if (aws is null)
        {
            builder = StockExporter.Builder(flags, environment);
        }
        else
        {
            builder = Hosting.ExporterApplication.CreateBuilder(flags);
            builder.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                builder.Environment[key] = value;
            }

            builder.AddCollector(new ElasticsearchCollectorDefinition { AwsEnvironment = aws });
            builder.AddProfile(ElasticsearchExporterProfile.Create());
        }

        builder.ProgramName = "elasticsearch_exporter";
        return builder;
    }

    public static Hosting.ExporterApplication Build(string[] flags, Dictionary<string, string?> environment, Elasticsearch.Aws.AwsEnvironment? aws = null) =>
        Builder(flags, environment, aws).Build();

    /// <summary>What <c>elasticsearch_exporter --help</c> prints.</summary>
    public static string Help()
    {
        var app = Build(["--help"], []);
        return app.Output ?? throw new InvalidOperationException("--help printed nothing");
    }

    /// <summary>Starts the host on a free port with <paramref name="flags"/>, fetches <paramref name="path"/> and stops it.</summary>
    public static async Task<string> ScrapeAsync(string[] flags, Dictionary<string, string?> environment, string path = "/metrics", Elasticsearch.Aws.AwsEnvironment? aws = null, TimeProvider? time = null)
    {
        var port = Tools.FreePort();
        var builder = Builder([$"--web.listen-address=127.0.0.1:{port}", .. flags], environment, aws);
        builder.TimeProvider = time ?? TimeProvider.System;
        await using var app = builder.Build();
        Assert.Null(app.Output);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            return await client.GetStringAsync($"http://127.0.0.1:{port}{path}");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Node stats of the captured 7.13 node with its roles replaced.</summary>
    public static RequestDelegate NodeWithRoles(params string[] roles) => async context =>
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(EsFixtureServer.DefaultFixtureDirectory(), "nodestats", "7.13.1.json")))!;
        foreach (var node in json["nodes"]!.AsObject())
        {
            node.Value!["roles"] = new JsonArray([.. roles.Select(r => (JsonNode)JsonValue.Create(r))]);
        }

        await EsFixtureServer.Body(json.ToJsonString())(context);
    };
}
