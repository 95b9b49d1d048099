using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Redis.Tests;

public sealed class InfoTests
{
    private static async Task<(Exposition Parsed, string Text, CollectorHarness Harness)> ScrapeFakeAsync(string info, Func<string[], byte[]?>? overrides = null, params (string, string?)[] settings)
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler(info, overrides));
        var harness = Scrapes.Harness(server.Address, settings);
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(3));
        await harness.DisposeAsync();
        return (parsed, text, harness);
    }

    [Fact]
    public async Task Every_field_of_the_shared_map_becomes_its_metric_with_the_type_of_the_map()
    {
        var map = File.ReadAllLines(Path.Combine(Tools.SharedDirectory(), "reference", "redis-info-field-map.tsv")).Skip(1)
            .Select(l => l.Split('\t'))
            .ToList();
        Assert.Equal(257, map.Count);
        var info = FakeReplies.InfoWith([.. map.Select(f => $"{f[2]}:3")]);
        var (parsed, text, _) = await ScrapeFakeAsync(info);
        var problems = new List<string>();
        foreach (var field in map)
        {
            var (type, name) = (field[0], field[3]);
            if (field[2] == "latest_fork_usec")
            {
                // anchors.md: redis_exporter exports this one in seconds.
                Assert.Equal(3e-6, parsed.Value("redis_latest_fork_seconds"));
                continue;
            }

            if (!parsed.Families.TryGetValue(name, out var family))
            {
                problems.Add($"{field[2]}: no {name}");
            }
            else if (family.Type != type)
            {
                problems.Add($"{name}: {family.Type}, map says {type}");
            }
            else if (parsed.Value(name) != 3 && field[2] is not ("process_id" or "uptime_in_seconds" or "connected_clients" or "connected_slaves"))
            {
                problems.Add($"{name}: value {parsed.Value(name)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + text);
    }

    [Fact]
    public async Task Composite_lines_become_labelled_families()
    {
        var (parsed, _, _) = await ScrapeFakeAsync(FakeReplies.Info);
        Assert.Equal(10, parsed.Value("redis_commands_total", ("cmd", "get")));
        Assert.Equal(50e-6, parsed.Value("redis_commands_duration_seconds_total", ("cmd", "get")));
        Assert.Equal(1, parsed.Value("redis_commands_rejected_calls_total", ("cmd", "get")));
        Assert.Equal(2, parsed.Value("redis_commands_failed_calls_total", ("cmd", "get")));
        Assert.Equal(3, parsed.Value("redis_errors_total", ("err", "ERR")));
        Assert.Equal(9, parsed.Value("redis_latency_percentiles_usec", ("cmd", "get"), ("quantile", "0.99")));
        Assert.Equal(10, parsed.Value("redis_latency_percentiles_usec_count", ("cmd", "get")));
        Assert.Equal(50, parsed.Value("redis_latency_percentiles_usec_sum", ("cmd", "get")));
        Assert.Equal(5, parsed.Value("redis_db_keys", ("db", "db0")));
        Assert.Equal(2, parsed.Value("redis_db_keys_expiring", ("db", "db0")));
        Assert.Equal(1.5, parsed.Value("redis_db_avg_ttl_seconds", ("db", "db0")));
        Assert.Equal(0, parsed.Value("redis_db_keys", ("db", "db1")));
        Assert.Equal(100, parsed.Value("redis_config_maxmemory"));
        Assert.Equal(50, parsed.Value("redis_config_maxclients"));
        Assert.Equal(1, parsed.Value("redis_slowlog_length"));
        Assert.Equal(7, parsed.Value("redis_slowlog_last_id"));
        Assert.Equal(0.025, parsed.Value("redis_last_slow_execution_duration_seconds"));
        Assert.Equal(1700000000, parsed.Value("redis_latency_spike_last", ("event_name", "command")));
        Assert.Equal(0.25, parsed.Value("redis_latency_spike_duration_seconds", ("event_name", "command")));
        Assert.Equal(6, parsed.Value("redis_commands_latencies_usec_bucket", ("cmd", "get"), ("le", "4")));
        Assert.Equal(10, parsed.Value("redis_commands_latencies_usec_bucket", ("cmd", "get"), ("le", "+Inf")));
        Assert.Equal(0, parsed.Value("redis_cluster_enabled"));
        Assert.Equal("summary", parsed.Families["redis_latency_percentiles_usec"].Type);
        Assert.Equal("histogram", parsed.Families["redis_commands_latencies_usec"].Type);
    }

    [Fact]
    public async Task Renders_as_OpenMetrics_too()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler());
        await using var harness = Scrapes.Harness(server.Address);
        var writer = await harness.ScrapeAsync();
        var text = CollectorHarness.Render(writer.Batch, Exporters.Exposition.ExpositionFormat.OpenMetrics);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE redis_commands_duration_seconds counter", text, StringComparison.Ordinal);
        Assert.Contains("# UNIT redis_commands_duration_seconds seconds", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE redis_instance info", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ok_and_fail_become_1_and_0()
    {
        var (parsed, _, _) = await ScrapeFakeAsync(FakeReplies.InfoWith("# Persistence", "rdb_last_bgsave_status:ok", "aof_last_bgrewrite_status:fail", "aof_last_write_status:err"));
        Assert.Equal(1, parsed.Value("redis_rdb_last_bgsave_status"));
        Assert.Equal(0, parsed.Value("redis_aof_last_bgrewrite_status"));
        Assert.Equal(0, parsed.Value("redis_aof_last_write_status"));
    }

    [Fact]
    public async Task Non_numeric_values_unknown_fields_and_unknown_sections_are_skipped_not_fatal()
    {
        var (parsed, _, harness) = await ScrapeFakeAsync(FakeReplies.InfoWith(
            "# Memory", "used_memory:lots", "mem_fragmentation_ratio:1.5",
            "# Mystery", "strange_field:1", "no colon here", ":", "cmdstat_odd:calls=x,usec=y",
            "db7:keys=many", "errorstat_WRONGTYPE:count=abc", "latency_percentiles_usec_set:p50=fast"));
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Null(parsed.Value("redis_memory_used_bytes"));
        Assert.Equal(1.5, parsed.Value("redis_mem_fragmentation_ratio"));
        Assert.False(parsed.Families.ContainsKey("redis_strange_field"));
        Assert.Null(parsed.Value("redis_commands_total", ("cmd", "odd")));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("used_memory: value is not a number", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(":42\r\n")]
    [InlineData("*1\r\n:1\r\n")]
    [InlineData("$-1\r\n")]
    [InlineData("-ERR not today\r\n")]
    [InlineData("@garbage\r\n")]
    [InlineData("$9999999999\r\n")]
    public async Task A_wrong_or_invalid_INFO_reply_gives_up_0_without_an_exception(string reply)
    {
        var (parsed, _, harness) = await ScrapeFakeAsync(FakeReplies.Info, command => command[0] == "INFO" ? FakeReplies.Bytes(reply) : null);
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.Contains(harness.Logger.Lines, l => l.StartsWith("Warning: redis scrape of", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(":1\r\n")]
    [InlineData("*1\r\n$5\r\nhello\r\n")]
    [InlineData("$3\r\nabc\r\n")]
    public async Task Wrong_types_in_secondary_replies_are_skipped(string reply)
    {
        var (parsed, _, _) = await ScrapeFakeAsync(FakeReplies.Info, command => command[0] is "SLOWLOG" or "LATENCY" or "CONFIG" ? FakeReplies.Bytes(reply) : null);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(5, parsed.Value("redis_db_keys", ("db", "db0")));
    }

    [Fact]
    public async Task A_refused_CONFIG_loses_only_the_config_metrics_and_is_not_resent()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler(overrides: command => command[0] == "CONFIG" ? FakeReplies.Bytes("-ERR unknown command 'CONFIG'\r\n") : null));
        await using var harness = Scrapes.Harness(server.Address);
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Null(parsed.Value("redis_config_maxmemory"));
        Assert.Equal(5, parsed.Value("redis_db_keys", ("db", "db0")));
        var configs = server.Commands.Count(c => c[0] == "CONFIG");
        (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(configs, server.Commands.Count(c => c[0] == "CONFIG"));
    }

    [Fact]
    public async Task A_real_server_with_CONFIG_renamed_away_still_scrapes()
    {
        await using var redis = await RedisServer.StartAsync("--rename-command", "CONFIG", "");
        await using var harness = Scrapes.Harness(redis.Address);
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Null(parsed.Value("redis_config_maxmemory"));
        Assert.NotNull(parsed.Value("redis_memory_used_bytes"));
    }

    [Fact]
    public async Task A_renamed_CONFIG_command_is_used_by_its_new_name()
    {
        await using var redis = await RedisServer.StartAsync("--rename-command", "CONFIG", "SECRETCONFIG", "--maxmemory", "12345678");
        await using var harness = Scrapes.Harness(redis.Address, ("config_command", "SECRETCONFIG"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(12345678, parsed.Value("redis_config_maxmemory"));
    }

    [Fact]
    public async Task INFO_ALL_refused_falls_back_to_INFO()
    {
        var (parsed, _, _) = await ScrapeFakeAsync(FakeReplies.Info, command => command is ["INFO", "ALL"] ? FakeReplies.Bytes("-ERR syntax error\r\n") : null);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(3, parsed.Value("redis_connected_clients"));
    }

    [Fact]
    public async Task Latency_histograms_are_not_requested_from_servers_before_7()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler(FakeReplies.Info.Replace("redis_version:7.2.4", "redis_version:6.2.14", StringComparison.Ordinal)));
        await using var harness = Scrapes.Harness(server.Address);
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.False(parsed.Families.ContainsKey("redis_commands_latencies_usec"));
        Assert.DoesNotContain(server.Commands, c => c is ["LATENCY", "HISTOGRAM", ..]);
        Assert.Equal(6, server.Commands.Count(c => c is ["CONFIG", "GET", _]));
        Assert.Equal(100, parsed.Value("redis_config_maxmemory"));
    }

    [Fact]
    public async Task The_namespace_prefixes_every_family()
    {
        var (parsed, _, _) = await ScrapeFakeAsync(FakeReplies.Info, null, ("namespace", "cache"));
        Assert.Equal(1, parsed.Value("cache_up"));
        Assert.Equal(3, parsed.Value("cache_connected_clients"));
        Assert.DoesNotContain(parsed.Families.Keys, k => k.StartsWith("redis_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promtool_only_lints_names_kept_from_the_field_map()
    {
        var mapped = File.ReadAllLines(Path.Combine(Tools.SharedDirectory(), "reference", "redis-info-field-map.tsv")).Skip(1)
            .Select(l => l.Split('\t')[3])
            .ToHashSet(StringComparer.Ordinal);
        await using var redis = await RedisServer.StartAsync();
        await using var harness = Scrapes.Harness(redis.Address);
        var (_, text, _) = await Scrapes.ScrapeAsync(harness);
        var (_, output) = await Promtool.CheckMetricsAsync(text);
        // promtool lints redis_exporter's established names (counters without _total, _sec units); those are kept on
        // purpose for dashboards and alerts, as is redis_exporter's redis_last_key_groups_scrape_duration_milliseconds.
        // Anything else it reports is ours to fix.
        var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !(mapped.Contains(line.Split(' ')[0]) && (line.Contains("_total\" suffix", StringComparison.Ordinal) || line.Contains("abbreviated units", StringComparison.Ordinal))))
            .Where(line => !(line.StartsWith("redis_last_key_groups_scrape_duration_milliseconds ", StringComparison.Ordinal) && line.Contains("base unit", StringComparison.Ordinal)))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains("redis_total_error_replies", output, StringComparison.Ordinal);
    }
}
