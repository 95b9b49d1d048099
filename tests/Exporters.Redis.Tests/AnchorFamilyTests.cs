using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>
/// The families redis_exporter 1.88 has beyond 1.45, each against a real redis-server: names, types, labels and
/// values, and the flags that switch them.
/// </summary>
public sealed class AnchorFamilyTests
{
    private static async Task<(Exposition Parsed, string Text)> ScrapeAsync(RedisServer redis, params (string Key, string? Value)[] settings)
    {
        await using var harness = Scrapes.Harness(redis.Address, settings);
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_up") == 1, text);
        return (parsed, text);
    }

    [Fact]
    public async Task System_memory_hz_and_the_default_config_families_are_reported()
    {
        await using var redis = await RedisServer.StartAsync("--hz", "25", "--repl-backlog-size", "2mb");
        var (plain, _) = await ScrapeAsync(redis);
        Assert.False(plain.Families.ContainsKey("redis_total_system_memory_bytes"));
        Assert.Equal(25, plain.Value("redis_configured_hz"));
        Assert.True(plain.Value("redis_hz") > 0);
        Assert.Equal(2 * 1024 * 1024, plain.Value("redis_config_repl_backlog_size"));
        Assert.Equal(268435456, plain.Value("redis_config_client_output_buffer_limit_bytes", ("class", "slave"), ("limit", "hard")));
        Assert.Equal(67108864, plain.Value("redis_config_client_output_buffer_limit_bytes", ("class", "slave"), ("limit", "soft")));
        Assert.Equal(60, plain.Value("redis_config_client_output_buffer_limit_overcome_seconds", ("class", "pubsub"), ("limit", "soft")));
        Assert.Equal("gauge", plain.Families["redis_config_client_output_buffer_limit_bytes"].Type);
        Assert.False(plain.Families.ContainsKey("redis_config_key_value"));

        var (system, _) = await ScrapeAsync(redis, ("include_system_metrics", "true"));
        Assert.True(system.Value("redis_total_system_memory_bytes") > 1024 * 1024);
        Assert.Equal("gauge", system.Families["redis_total_system_memory_bytes"].Type);
    }

    [Fact]
    public async Task Config_metrics_report_every_setting_and_redact_passwords_unless_told_not_to()
    {
        await using var redis = await RedisServer.StartAsync("--masterauth", "primary-Secret-1");
        var (parsed, text) = await ScrapeAsync(redis, ("include_config_metrics", "true"));
        Assert.Equal(1, parsed.Value("redis_config_key_value", ("key", "maxmemory-policy"), ("value", "noeviction")));
        Assert.Equal(16, parsed.Value("redis_config_value", ("key", "databases")));
        Assert.DoesNotContain("primary-Secret-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(parsed.Families["redis_config_key_value"].Samples, s => s.Labels["key"] == "masterauth");
        Assert.Equal(["key", "value"], parsed.Families["redis_config_key_value"].LabelNames);

        var (unredacted, _) = await ScrapeAsync(redis, ("include_config_metrics", "true"), ("redact_config_metrics", "false"));
        Assert.Equal(1, unredacted.Value("redis_config_key_value", ("key", "masterauth"), ("value", "primary-Secret-1")));
    }

    [Fact]
    public async Task Streams_report_all_sixteen_families_and_consumers_can_be_left_out()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("XADD", "events", "1700000000000-0", "a", "1");
        await redis.CliAsync("XADD", "events", "1700000001000-0", "a", "2");
        await redis.CliAsync("XADD", "events", "1700000002000-0", "a", "3");
        await redis.CliAsync("XGROUP", "CREATE", "events", "workers", "0");
        await redis.CliAsync("XREADGROUP", "GROUP", "workers", "alice", "COUNT", "1", "STREAMS", "events", ">");
        await redis.CliAsync("XDEL", "events", "1700000000000-0");

        var (parsed, text) = await ScrapeAsync(redis, ("check_streams", "db0=ev*"));
        var stream = new[] { ("db", "db0"), ("stream", "events") };
        var group = new[] { ("db", "db0"), ("stream", "events"), ("group", "workers") };
        var consumer = new[] { ("db", "db0"), ("stream", "events"), ("group", "workers"), ("consumer", "alice") };
        Assert.Equal(2, parsed.Value("redis_stream_length", stream));
        Assert.Equal(1, parsed.Value("redis_stream_groups", stream));
        Assert.NotNull(parsed.Value("redis_stream_radix_tree_keys", stream));
        Assert.NotNull(parsed.Value("redis_stream_radix_tree_nodes", stream));
        Assert.Equal(1700000002000, parsed.Value("redis_stream_last_generated_id", stream));
        Assert.Equal(1700000000000, parsed.Value("redis_stream_max_deleted_entry_id", stream));
        Assert.Equal(1700000001000, parsed.Value("redis_stream_first_entry_id", stream));
        Assert.Equal(1700000002000, parsed.Value("redis_stream_last_entry_id", stream));
        Assert.Equal(3, parsed.Value("redis_stream_entries_added_total", stream));
        Assert.Equal("counter", parsed.Families["redis_stream_entries_added_total"].Type);
        Assert.Equal(1, parsed.Value("redis_stream_group_consumers", group));
        Assert.Equal(1, parsed.Value("redis_stream_group_messages_pending", group));
        Assert.Equal(1700000000000, parsed.Value("redis_stream_group_last_delivered_id", group));
        Assert.Equal(1, parsed.Value("redis_stream_group_entries_read", group));
        Assert.NotNull(parsed.Value("redis_stream_group_lag", group));
        Assert.Equal(1, parsed.Value("redis_stream_group_consumer_messages_pending", consumer));
        Assert.NotNull(parsed.Value("redis_stream_group_consumer_idle_seconds", consumer));
        Assert.Equal(16, parsed.Families.Keys.Count(k => k.StartsWith("redis_stream_", StringComparison.Ordinal)));

        var (excluded, _) = await ScrapeAsync(redis, ("check_single_streams", "db0=events"), ("streams_exclude_consumer_metrics", "true"));
        Assert.Equal(2, excluded.Value("redis_stream_length", stream));
        Assert.False(excluded.Families.ContainsKey("redis_stream_group_consumer_messages_pending"));
        Assert.False(excluded.Families.ContainsKey("redis_stream_group_consumer_idle_seconds"));
        Assert.Equal(14, excluded.Families.Keys.Count(k => k.StartsWith("redis_stream_", StringComparison.Ordinal)));
        _ = text;
    }

    [Fact]
    public async Task The_client_list_gives_redis_exporters_per_client_families_and_the_port_on_request()
    {
        await using var redis = await RedisServer.StartAsync();
        var (parsed, text) = await ScrapeAsync(redis, ("export_client_list", "true"));
        var info = Assert.Single(parsed.Families["redis_connected_client_info"].Samples, s => s.Labels["name"] == "redis_exporter");
        Assert.Equal(["db", "flags", "host", "id", "name", "resp", "user"], parsed.Families["redis_connected_client_info"].LabelNames);
        Assert.Equal("127.0.0.1", info.Labels["host"]);
        Assert.Equal("default", info.Labels["user"]);
        var id = info.Labels["id"];
        foreach (var family in new[] { "output_buffer_memory_usage_bytes", "total_memory_consumed_bytes", "created_at_timestamp", "idle_since_timestamp", "channel_subscriptions_count",
            "pattern_matching_subscriptions_count", "query_buffer_length_bytes", "query_buffer_free_space_bytes", "output_buffer_length_bytes", "output_list_length", "shard_channel_subscriptions_count" })
        {
            Assert.True(parsed.Value("redis_connected_client_" + family, ("id", id), ("name", "redis_exporter")) is not null, family + "\n" + text);
        }

        var created = parsed.Value("redis_connected_client_created_at_timestamp", ("id", id), ("name", "redis_exporter"))!.Value;
        Assert.InRange(created, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.False(parsed.Families.ContainsKey("redis_client_connections"));

        var (withPort, _) = await ScrapeAsync(redis, ("export_client_list", "true"), ("export_client_port", "true"));
        Assert.Contains("port", withPort.Families["redis_connected_client_info"].LabelNames);
    }

    [Fact]
    public async Task The_client_list_is_capped_by_max_clients()
    {
        await using var redis = await RedisServer.StartAsync();
        using var idle1 = new System.Net.Sockets.TcpClient();
        using var idle2 = new System.Net.Sockets.TcpClient();
        await idle1.ConnectAsync("127.0.0.1", redis.Port);
        await idle2.ConnectAsync("127.0.0.1", redis.Port);
        await Task.Delay(100);
        var (parsed, _) = await ScrapeAsync(redis, ("export_client_list", "true"), ("max_clients", "1"));
        Assert.Single(parsed.Families["redis_connected_client_info"].Samples);
        Assert.Equal(2, parsed.Value("redis_exporter_clients_not_listed"));
    }

    [Fact]
    public async Task Ping_on_connect_times_a_ping()
    {
        await using var redis = await RedisServer.StartAsync();
        var (plain, _) = await ScrapeAsync(redis);
        Assert.False(plain.Families.ContainsKey("redis_exporter_last_scrape_ping_time_seconds"));
        var (parsed, _) = await ScrapeAsync(redis, ("ping_on_connect", "true"));
        Assert.InRange(parsed.Value("redis_exporter_last_scrape_ping_time_seconds")!.Value, 0, 5);
    }

    [Fact]
    public async Task Key_checks_report_memory_string_values_and_hyperloglog_cardinality()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "counter", "42");
        await redis.CliAsync("SET", "colour", "blue");
        await redis.CliAsync("PFADD", "visitors", "a", "b", "c", "d");
        await redis.CliAsync("RPUSH", "queue", "x", "y");
        var (parsed, text) = await ScrapeAsync(redis, ("check_single_keys", "db0=counter,db0=colour,db0=visitors,db0=queue"));
        Assert.Equal(42, parsed.Value("redis_key_value", ("db", "db0"), ("key", "counter")));
        Assert.Equal(1, parsed.Value("redis_key_value_as_string", ("db", "db0"), ("key", "colour"), ("val", "blue")));
        Assert.Equal(4, parsed.Value("redis_key_size", ("db", "db0"), ("key", "visitors")));
        Assert.Null(parsed.Value("redis_key_value_as_string", ("db", "db0"), ("key", "visitors")));
        Assert.Equal(2, parsed.Value("redis_key_size", ("db", "db0"), ("key", "queue")));
        foreach (var key in new[] { "counter", "colour", "visitors", "queue" })
        {
            Assert.True(parsed.Value("redis_key_memory_usage_bytes", ("db", "db0"), ("key", key)) > 0, key + "\n" + text);
        }

        // PFCOUNT only where the value is a HyperLogLog: no WRONGTYPE errors in the server's own statistics.
        Assert.DoesNotContain("errorstat_WRONGTYPE", await redis.CliAsync("INFO", "errorstats"), StringComparison.Ordinal);

        var (hidden, _) = await ScrapeAsync(redis, ("check_single_keys", "db0=counter,db0=colour"), ("disable_exporting_key_values", "true"));
        Assert.False(hidden.Families.ContainsKey("redis_key_value_as_string"));
        Assert.False(hidden.Families.ContainsKey("redis_key_value"));
        Assert.Equal(4, hidden.Value("redis_key_size", ("db", "db0"), ("key", "colour")));
    }

    [Fact]
    public async Task Key_groups_sum_memory_by_lua_pattern_captures_and_fold_the_rest_into_overflow()
    {
        await using var redis = await RedisServer.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await redis.CliAsync("SET", $"user:{i}:name", new string('u', 100));
        }

        await redis.CliAsync("SET", "session:1", "s");
        await redis.CliAsync("SET", "cache:1", "c");
        await redis.CliAsync("SET", "loose", "l");
        var (parsed, text) = await ScrapeAsync(redis, ("check_key_groups", "^(user):,^(session):,^(cache):"));
        Assert.Equal(5, parsed.Value("redis_key_group_count", ("db", "db0"), ("key_group", "user")));
        Assert.Equal(1, parsed.Value("redis_key_group_count", ("db", "db0"), ("key_group", "unclassified")));
        Assert.True(parsed.Value("redis_key_group_memory_usage_bytes", ("db", "db0"), ("key_group", "user")) > 500, text);
        Assert.Equal(4, parsed.Value("redis_number_of_distinct_key_groups", ("db", "db0")));
        Assert.NotNull(parsed.Value("redis_last_key_groups_scrape_duration_milliseconds"));

        var (capped, _) = await ScrapeAsync(redis, ("check_key_groups", "^(user):,^(session):,^(cache):"), ("max_distinct_key_groups", "1"));
        Assert.Equal(5, capped.Value("redis_key_group_count", ("db", "db0"), ("key_group", "user")));
        Assert.Equal(3, capped.Value("redis_key_group_count", ("db", "db0"), ("key_group", "overflow")));
        Assert.Equal(2, capped.Families["redis_key_group_count"].Samples.Count);
        Assert.Equal(4, capped.Value("redis_number_of_distinct_key_groups", ("db", "db0")));
    }

    [Fact]
    public async Task The_instance_role_label_is_on_every_series_but_the_ones_redis_exporter_leaves_out()
    {
        await using var redis = await RedisServer.StartAsync();
        var (parsed, text) = await ScrapeAsync(redis, ("append_instance_role_label", "true"));
        var unlabelled = new[] { "redis_exporter_scrapes_total", "redis_exporter_scrape_duration_seconds", "redis_exporter_last_scrape_connect_time_seconds", "redis_target_scrape_request_errors_total" };
        foreach (var (name, family) in parsed.Families)
        {
            foreach (var sample in family.Samples)
            {
                if (unlabelled.Contains(name))
                {
                    Assert.False(sample.Labels.ContainsKey("instance_role"), name);
                }
                else
                {
                    Assert.True(sample.Labels.TryGetValue("instance_role", out var role) && role == "master", name + "\n" + text);
                }
            }
        }

        Assert.Equal(1, parsed.Value("redis_up", ("instance_role", "master")));
    }

    [Fact]
    public async Task Read_only_scripts_run_with_EVAL_RO_and_cannot_write()
    {
        await using var redis = await RedisServer.StartAsync();
        var directory = Tools.TempDirectory("lua-ro");
        var writes = Path.Combine(directory, "writes.lua");
        var reads = Path.Combine(directory, "reads.lua");
        await File.WriteAllTextAsync(writes, "redis.call('SET', 'touched', '1') return {'a', '1'}");
        await File.WriteAllTextAsync(reads, "return {'b', '2'}");
        var (readOnly, _) = await ScrapeAsync(redis, ("script", writes + "," + reads), ("lua_script_read_only", "true"));
        Assert.Equal(0, readOnly.Value("redis_script_result", ("filename", writes)));
        Assert.Equal(2, readOnly.Value("redis_script_values", ("filename", reads), ("key", "b")));
        Assert.Equal(string.Empty, (await redis.CliAsync("GET", "touched")).Trim());

        var (readWrite, _) = await ScrapeAsync(redis, ("script", writes));
        Assert.Equal(1, readWrite.Value("redis_script_result", ("filename", writes)));
        Assert.Equal("1", (await redis.CliAsync("GET", "touched")).Trim());
    }

    [Fact]
    public async Task Latency_percentiles_take_redis_exporters_quantile_labels_on_request()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "a", "1");
        var (plain, _) = await ScrapeAsync(redis);
        Assert.NotNull(plain.Value("redis_latency_percentiles_usec", ("cmd", "set"), ("quantile", "0.999")));
        var (percent, _) = await ScrapeAsync(redis, ("latency_percentile_quantile_labels", "true"));
        Assert.NotNull(percent.Value("redis_latency_percentiles_usec", ("cmd", "set"), ("quantile", "99.9")));
        Assert.NotNull(percent.Value("redis_latency_percentiles_usec", ("cmd", "set"), ("quantile", "50")));
        Assert.Null(percent.Value("redis_latency_percentiles_usec", ("cmd", "set"), ("quantile", "0.5")));
        Assert.Equal("summary", percent.Families["redis_latency_percentiles_usec"].Type);
    }

    [Fact]
    public async Task Empty_databases_can_be_left_out_and_key_checks_skipped_on_a_primary()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "counter", "1");
        var (all, _) = await ScrapeAsync(redis, ("check_single_keys", "counter"));
        Assert.Equal(0, all.Value("redis_db_keys", ("db", "db5")));
        Assert.Equal(1, all.Value("redis_key_value", ("db", "db0"), ("key", "counter")));
        var (lean, _) = await ScrapeAsync(redis, ("check_single_keys", "counter"), ("include_metrics_for_empty_databases", "false"), ("skip_checkkeys_for_role_master", "true"));
        Assert.Null(lean.Value("redis_db_keys", ("db", "db5")));
        Assert.Equal(1, lean.Value("redis_db_keys", ("db", "db0")));
        Assert.False(lean.Families.ContainsKey("redis_key_value"));
    }

    [Fact]
    public async Task The_rdb_file_size_is_reported_when_the_file_is_on_this_host()
    {
        await using var redis = await RedisServer.StartAsync("--save", "3600 1");
        await redis.CliAsync("SET", "a", "1");
        await redis.CliAsync("SAVE");
        var (parsed, _) = await ScrapeAsync(redis, ("include_rdb_file_size_metric", "true"));
        Assert.True(parsed.Value("redis_rdb_current_size_bytes") > 0);
    }

    [Fact]
    public async Task Modules_are_asked_for_with_INFO_MODULES_and_tile38_with_SERVER_EXT()
    {
        const string Modules = "# Modules\r\nmodule:name=search,ver=21005,api=1,filters=0,usedby=[],using=[],options=[handle-io-errors]\r\n";
        await using var server = new FakeRedisServer(FakeReplies.Handler(overrides: command => command switch
        {
            ["INFO", "MODULES"] => FakeRedisServer.Bulk(Modules + "# search\r\nsearch_number_of_indexes:3\r\n"),
            ["SERVER", "EXT"] => FakeRedisServer.Raw("*4\r\n$8\r\nsys_cpus\r\n$1\r\n8\r\n$11\r\nnum_objects\r\n$2\r\n12\r\n"),
            _ => null,
        }));
        await using (var harness = Scrapes.Harness(server.Address))
        {
            await Scrapes.ScrapeAsync(harness);
            Assert.DoesNotContain(server.Commands, c => c is ["INFO", "MODULES"] or ["SERVER", "EXT"]);
        }

        await using var modules = Scrapes.Harness(server.Address, ("include_modules_metrics", "true"), ("is_tile38", "true"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(modules);
        Assert.True(parsed.Families.ContainsKey("redis_module_info"), text);
        Assert.Equal(1, parsed.Value("redis_module_info", ("name", "search"), ("ver", "21005"), ("api", "1"), ("filters", "0"), ("usedby", "[]"), ("using", "[]")));
        Assert.Equal(3, parsed.Value("redis_search_number_of_indexes"));
        Assert.Equal(8, parsed.Value("redis_tile38_cpus_total"));
        Assert.Equal(12, parsed.Value("redis_tile38_num_objects_total"));
    }

    [Fact]
    public async Task Excluding_latency_metrics_sends_neither_latency_command()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler());
        await using var harness = Scrapes.Harness(server.Address, ("exclude_latency_histogram_metrics", "true"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.DoesNotContain(server.Commands, c => c is ["LATENCY", ..]);
    }

    [Fact]
    public async Task Without_set_client_name_the_connection_stays_unnamed()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler());
        await using var harness = Scrapes.Harness(server.Address, ("set_client_name", "false"));
        await Scrapes.ScrapeAsync(harness);
        Assert.DoesNotContain(server.Commands, c => c is ["CLIENT", "SETNAME", ..]);
    }

    [Fact]
    public async Task Valkey_8_1_reports_its_commandlog_and_version_labels_and_KeyDB_its_cached_keys()
    {
        var info = FakeReplies.InfoWith("valkey_version:8.1.1", "valkey_release_stage:ga", "used_active_time_io_thread_1:12.5", "db1:keys=3,expires=1,avg_ttl=0,cached_keys=2");
        await using var server = new FakeRedisServer(FakeReplies.Handler(info, command => command switch
        {
            ["COMMANDLOG", "LEN", "slow"] => FakeRedisServer.Raw(":4\r\n"),
            ["COMMANDLOG", "LEN", "large-request"] => FakeRedisServer.Raw(":5\r\n"),
            ["COMMANDLOG", "LEN", "large-reply"] => FakeRedisServer.Raw(":6\r\n"),
            ["CONFIG", "GET", "commandlog-*"] => FakeRedisServer.Raw("*4\r\n$32\r\ncommandlog-execution-slower-than\r\n$5\r\n10000\r\n$30\r\ncommandlog-large-reply-max-len\r\n$3\r\n128\r\n"),
            _ => null,
        }));
        await using var harness = Scrapes.Harness(server.Address);
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_commandlog_slow_length") == 4, text);
        Assert.Equal(5, parsed.Value("redis_commandlog_large_request_length"));
        Assert.Equal(6, parsed.Value("redis_commandlog_large_reply_length"));
        Assert.Equal(10000, parsed.Value("redis_commandlog_execution_slower_than"));
        Assert.Equal(128, parsed.Value("redis_commandlog_large_reply_max_len"));
        var instance = Assert.Single(parsed.Families["redis_instance_info"].Samples);
        Assert.Equal("8.1.1", instance.Labels["valkey_version"]);
        Assert.Equal("ga", instance.Labels["valkey_release_stage"]);
        Assert.Equal(2, parsed.Value("redis_db_keys_cached", ("db", "db1")));
        Assert.Equal(12.5, parsed.Value("redis_active_time_io_thread_seconds_total", ("thread", "1")));

        // Redis itself has no COMMANDLOG: it is never asked.
        await using var redis = new FakeRedisServer(FakeReplies.Handler());
        await using var plain = Scrapes.Harness(redis.Address);
        await Scrapes.ScrapeAsync(plain);
        Assert.DoesNotContain(redis.Commands, c => c is ["COMMANDLOG", ..]);
    }

    [Fact]
    public async Task A_refused_extra_round_trip_costs_only_its_families()
    {
        // A server that refuses EVAL (key groups) and FT._LIST (search indexes) is still up, with its other families.
        await using var server = new FakeRedisServer(FakeReplies.Handler(overrides: command => command switch
        {
            ["EVAL", ..] => FakeRedisServer.Raw("-NOPERM this user has no permissions to run the 'eval' command\r\n"),
            ["SELECT", _] => FakeRedisServer.Raw("+OK\r\n"),
            _ => null,
        }));
        await using var harness = Scrapes.Harness(server.Address, ("check_key_groups", "^(a)"), ("include_search_indexes_metrics", "true"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_up") == 1, text);
        Assert.Equal(3, parsed.Value("redis_connected_clients"));
        Assert.False(parsed.Families.ContainsKey("redis_key_group_count"));
        Assert.False(parsed.Families.ContainsKey("redis_search_index_num_docs"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("key groups left out of this scrape", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_indexes_matching_the_pattern_report_redis_exporters_families_in_bytes()
    {
        static string Bulk(string text) => $"${text.Length}\r\n{text}\r\n";
        var info = "*8\r\n" + Bulk("index_name") + Bulk("idx_users") + Bulk("num_docs") + ":42\r\n" + Bulk("inverted_sz_mb") + Bulk("0.5") + Bulk("number_of_uses") + ":7\r\n";
        await using var server = new FakeRedisServer(FakeReplies.Handler(overrides: command => command switch
        {
            ["FT._LIST"] => FakeRedisServer.Raw("*2\r\n" + Bulk("idx_users") + Bulk("other")),
            ["FT.INFO", "idx_users"] => FakeRedisServer.Raw(info),
            ["FT.INFO", _] => FakeRedisServer.Raw("-ERR not asked for\r\n"),
            _ => null,
        }));
        await using var harness = Scrapes.Harness(server.Address, ("include_search_indexes_metrics", "true"), ("check_search_indexes", "^idx_"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_search_index_num_docs", ("index_name", "idx_users")) == 42, text);
        Assert.Equal(512 * 1024, parsed.Value("redis_search_index_inverted_size_bytes", ("index_name", "idx_users")));
        Assert.Equal(7, parsed.Value("redis_search_index_number_of_uses_total", ("index_name", "idx_users")));
        Assert.Equal("counter", parsed.Families["redis_search_index_number_of_uses_total"].Type);
        Assert.DoesNotContain(server.Commands, c => c is ["FT.INFO", "other"]);
    }
}
