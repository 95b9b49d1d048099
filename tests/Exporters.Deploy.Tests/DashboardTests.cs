using System.Text.Json;
using System.Text.RegularExpressions;
using static Exporters.Deploy.Tests.Dashboard;

namespace Exporters.Deploy.Tests;

/// <summary>
/// The Grafana dashboards' shape: the variables operators filter by, a unit on every panel, rate windows that follow
/// the scrape interval, health first. Whether each query returns data is proved against a real Prometheus in
/// <see cref="EndToEndTests"/>.
/// </summary>
public sealed class DashboardTests
{
    public static TheoryData<string> Dashboards() => new(Names);

    [Fact]
    public void One_dashboard_per_collector_and_one_for_the_host()
    {
        var files = Directory.GetFiles(Kit.Dashboards, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(Names.Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Variables_select_the_data_source_and_the_scraped_pods(string name)
    {
        var dashboard = Load(name);
        var variables = dashboard.Variables.ToDictionary(v => String(v, "name")!, StringComparer.Ordinal);
        Assert.Equal("datasource", String(variables["datasource"], "type"));
        Assert.Equal("prometheus", String(variables["datasource"], "query"));
        var expected = name == "elasticsearch" ? new[] { "namespace", "pod", "instance", "cluster" } : ["namespace", "pod", "instance"];
        foreach (var variable in expected)
        {
            Assert.True(variables.ContainsKey(variable), $"{name}: no ${variable} variable");
            Assert.Equal("query", String(variables[variable], "type"));
            Assert.Equal("${datasource}", variables[variable].GetProperty("datasource").GetProperty("uid").GetString());
            Assert.StartsWith("label_values(", variables[variable].GetProperty("query").GetProperty("query").GetString(), StringComparison.Ordinal);
        }

        foreach (var (panel, expr) in dashboard.Queries)
        {
            foreach (var variable in expected.Where(v => v != "cluster"))
            {
                Assert.True(expr.Contains("$" + variable, StringComparison.Ordinal), $"{name} / {panel}: {expr} ignores ${variable}");
            }
        }

        if (name == "elasticsearch")
        {
            var cluster = dashboard.Queries.Count(q => q.Expr.Contains("$cluster", StringComparison.Ordinal));
            Assert.True(cluster * 2 > dashboard.Queries.Count(), "most Elasticsearch panels should follow $cluster");
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_panel_has_a_unit_a_description_and_queries_on_the_chosen_data_source(string name)
    {
        var problems = new List<string>();
        foreach (var panel in Load(name).Panels)
        {
            var title = String(panel, "title");
            if (string.IsNullOrEmpty(panel.GetProperty("fieldConfig").GetProperty("defaults").TryGetProperty("unit", out var unit) ? unit.GetString() : null))
            {
                problems.Add($"{title}: no unit");
            }

            if (string.IsNullOrWhiteSpace(String(panel, "description")))
            {
                problems.Add($"{title}: no description");
            }

            if (panel.GetProperty("datasource").GetProperty("uid").GetString() != "${datasource}")
            {
                problems.Add($"{title}: not on ${{datasource}}");
            }

            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            if (targets.Count == 0 || targets.Any(t => string.IsNullOrWhiteSpace(String(t, "expr")) || t.GetProperty("datasource").GetProperty("uid").GetString() != "${datasource}"))
            {
                problems.Add($"{title}: a target without a query or not on ${{datasource}}");
            }
        }

        Assert.True(problems.Count == 0, $"{name}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Rate_windows_follow_the_scrape_interval(string name)
    {
        foreach (var (panel, expr) in Load(name).Queries)
        {
            foreach (Match window in Regex.Matches(expr, @"\[([^\]]*)\]"))
            {
                Assert.True(window.Groups[1].Value == "$__rate_interval", $"{name} / {panel}: window [{window.Groups[1].Value}] should be [$__rate_interval]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Health_comes_first_and_panels_do_not_overlap(string name)
    {
        var dashboard = Load(name);
        var first = dashboard.AllPanels.First();
        Assert.Equal("row", String(first, "type"));
        Assert.Contains("health", String(first, "title")!, StringComparison.OrdinalIgnoreCase);
        var firstRowPanels = dashboard.AllPanels.Skip(1).TakeWhile(p => String(p, "type") != "row").ToList();
        Assert.Equal("stat", String(firstRowPanels[0], "type"));

        // The first row answers "is it up and is the exporter working" before anything else.
        var firstRowQueries = string.Join('\n', firstRowPanels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => String(t, "expr")));
        Assert.Matches(@"(^|\W)\w*up\{", firstRowQueries);
        Assert.Contains(name == "exporter" ? "exporter_collector_success" : "exporter_collector_success{", firstRowQueries, StringComparison.Ordinal);

        var ids = dashboard.AllPanels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var occupied = new HashSet<(int X, int Y)>();
        foreach (var panel in dashboard.AllPanels)
        {
            var grid = panel.GetProperty("gridPos");
            int x = grid.GetProperty("x").GetInt32(), y = grid.GetProperty("y").GetInt32(), w = grid.GetProperty("w").GetInt32(), h = grid.GetProperty("h").GetInt32();
            Assert.True(x + w <= 24, $"{name} / {String(panel, "title")}: wider than the dashboard");
            for (var i = x; i < x + w; i++)
            {
                for (var j = y; j < y + h; j++)
                {
                    Assert.True(occupied.Add((i, j)), $"{name} / {String(panel, "title")}: overlaps another panel");
                }
            }
        }
    }

    [Fact]
    public void The_redis_dashboard_covers_what_grafana_dashboard_763_shows()
    {
        // Uptime, clients, memory against maxmemory, commands per second, hit ratio, network, keys per database,
        // expired and evicted keys, time per command.
        var queries = string.Join('\n', Load("redis").Queries.Select(q => q.Expr));
        foreach (var metric in new[]
        {
            "redis_uptime_in_seconds", "redis_connected_clients", "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_commands_processed_total",
            "redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_net_input_bytes_total", "redis_net_output_bytes_total", "redis_db_keys",
            "redis_expired_keys_total", "redis_evicted_keys_total", "redis_commands_duration_seconds_total", "redis_commands_total",
        })
        {
            Assert.Contains(metric, queries, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_elasticsearch_dashboard_covers_what_grafana_dashboards_2322_and_14191_show()
    {
        var queries = string.Join('\n', Load("elasticsearch").Queries.Select(q => q.Expr));
        foreach (var metric in new[]
        {
            "elasticsearch_cluster_health_status", "elasticsearch_cluster_health_number_of_nodes", "elasticsearch_cluster_health_number_of_data_nodes",
            "elasticsearch_cluster_health_active_shards", "elasticsearch_cluster_health_unassigned_shards", "elasticsearch_cluster_health_number_of_pending_tasks",
            "elasticsearch_jvm_memory_used_bytes", "elasticsearch_jvm_gc_collection_seconds_sum", "elasticsearch_process_cpu_percent", "elasticsearch_os_load1",
            "elasticsearch_filesystem_data_available_bytes", "elasticsearch_indices_indexing_index_total", "elasticsearch_indices_search_query_total",
            "elasticsearch_indices_search_query_time_seconds", "elasticsearch_indices_docs", "elasticsearch_indices_store_size_bytes",
            "elasticsearch_thread_pool_rejected_count", "elasticsearch_breakers_tripped", "elasticsearch_indices_segments_count",
            "elasticsearch_indices_fielddata_memory_size_bytes", "elasticsearch_indices_query_cache_memory_size_bytes",
        })
        {
            Assert.Contains(metric, queries, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dashboards_are_plain_json_with_stable_uids()
    {
        var uids = Names.Select(n => Load(n).Root.GetProperty("uid").GetString()).ToList();
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(uids, u => Assert.Matches("^exporters-[a-z]+$", u!));
        Assert.All(Names, n => Assert.Equal(JsonValueKind.Number, Load(n).Root.GetProperty("schemaVersion").ValueKind));
    }
}
