using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;

namespace Exporters.Redis;

/// <summary>
/// The Redis (and Valkey) collector: a drop-in for redis_exporter's metric names and command-line flags, scraping
/// with one pipelined round trip over a kept connection.
/// </summary>
public sealed class RedisCollectorDefinition : CollectorDefinition<RedisOptions>
{
    private static readonly CollectorFlag[] FlagList =
    [
        new("redis.addr", "address", "REDIS_ADDR", "Address of the Redis instance to scrape (redis://, rediss://, valkey://, valkeys://, unix:// or host:port)."),
        new("redis.user", "user", "REDIS_USER", "User name to use for authentication (Redis ACL for Redis 6.0 and newer)."),
        new("redis.password", "password", "REDIS_PASSWORD", "Password of the Redis instance to scrape."),
        new("redis.password-file", "password_file", "REDIS_PASSWORD_FILE", "File holding the password, or a JSON object of address to password; read at every scrape."),
        new("namespace", "namespace", "REDIS_EXPORTER_NAMESPACE", "Namespace (prefix) of the metrics."),
        new("check-keys", "check_keys", "REDIS_EXPORTER_CHECK_KEYS", "Comma-separated key patterns to export size and value of, found with SCAN, like db3=user_count,db0=page*."),
        new("check-single-keys", "check_single_keys", "REDIS_EXPORTER_CHECK_SINGLE_KEYS", "Comma-separated keys to export size and value of, without SCAN."),
        new("check-key-groups", "check_key_groups", "REDIS_EXPORTER_CHECK_KEY_GROUPS", "Comma-separated Lua patterns grouping keys by memory usage (redis_key_group_*)."),
        new("max-distinct-key-groups", "max_distinct_key_groups", "REDIS_EXPORTER_MAX_DISTINCT_KEY_GROUPS", "Most key groups per database; the rest are summed into the overflow group (default 100)."),
        new("check-streams", "check_streams", "REDIS_EXPORTER_CHECK_STREAMS", "Comma-separated stream key patterns to export stream, group and consumer metrics of, found with SCAN."),
        new("check-single-streams", "check_single_streams", "REDIS_EXPORTER_CHECK_SINGLE_STREAMS", "Comma-separated stream keys to export stream, group and consumer metrics of, without SCAN."),
        new("streams-exclude-consumer-metrics", "streams_exclude_consumer_metrics", "REDIS_EXPORTER_STREAMS_EXCLUDE_CONSUMER_METRICS", "Leave out the per-consumer stream families (lower cardinality).", IsSwitch: true),
        new("count-keys", "count_keys", "REDIS_EXPORTER_COUNT_KEYS", "Comma-separated patterns whose number of matching keys is exported, like db3=sessions:*."),
        new("check-keys-batch-size", "check_keys_batch_size", "REDIS_EXPORTER_CHECK_KEYS_BATCH_SIZE", "The COUNT of each SCAN call of key checks (default 1000)."),
        new("script", "script", "REDIS_EXPORTER_SCRIPT", "Comma-separated paths of Lua scripts run at every scrape; each returns alternating keys and values (redis_script_values)."),
        new("lua-script-read-only", "lua_script_read_only", "REDIS_EXPORTER_LUA_SCRIPT_READ_ONLY", "Run the scripts with EVAL_RO (read-only; works on replicas).", IsSwitch: true),
        new("config-command", "config_command", "REDIS_EXPORTER_CONFIG_COMMAND", "The name of the CONFIG command, or - to skip config metrics."),
        new("connection-timeout", "connection_timeout", "REDIS_EXPORTER_CONNECTION_TIMEOUT", "Timeout for connecting to Redis, like 15s."),
        new("tls-client-key-file", "tls.key_file", "REDIS_EXPORTER_TLS_CLIENT_KEY_FILE", "Client key file for TLS client authentication."),
        new("tls-client-cert-file", "tls.cert_file", "REDIS_EXPORTER_TLS_CLIENT_CERT_FILE", "Client certificate file for TLS client authentication."),
        new("tls-ca-cert-file", "tls.ca_file", "REDIS_EXPORTER_TLS_CA_CERT_FILE", "CA certificate file to verify the server certificate."),
        new("tls-server-name", "tls.server_name", "REDIS_EXPORTER_TLS_SERVER_NAME", "The name expected in the Redis server's certificate (and sent as SNI)."),
        new("skip-tls-verification", "tls.insecure_skip_verify", "REDIS_EXPORTER_SKIP_TLS_VERIFICATION", "Do not verify the server certificate.", IsSwitch: true),
        new("set-client-name", "set_client_name", "REDIS_EXPORTER_SET_CLIENT_NAME", "Name the connection redis_exporter with CLIENT SETNAME (default true).", IsSwitch: true),
        new("is-tile38", "is_tile38", "REDIS_EXPORTER_IS_TILE38", "The server is Tile38: add its SERVER EXT fields.", IsSwitch: true),
        new("is-cluster", "is_cluster", "REDIS_EXPORTER_IS_CLUSTER", "The server is a Redis Cluster node: key and stream checks follow MOVED/ASK, and /discover-cluster-nodes lists the nodes.", IsSwitch: true),
        new("cluster-discover-hostnames", "cluster_discover_hostnames", "REDIS_EXPORTER_CLUSTER_DISCOVER_HOSTNAMES", "List cluster nodes by host name in /discover-cluster-nodes where they announce one.", IsSwitch: true),
        new("export-client-list", "export_client_list", "REDIS_EXPORTER_EXPORT_CLIENT_LIST", "Export every client of CLIENT LIST (redis_connected_client_info and per-client gauges; capped by max_clients).", IsSwitch: true),
        new("export-client-port", "export_client_port", "REDIS_EXPORTER_EXPORT_CLIENT_PORT", "Add the client's port as a label with --export-client-list.", IsSwitch: true),
        new("ping-on-connect", "ping_on_connect", "REDIS_EXPORTER_PING_ON_CONNECT", "Time a PING at every scrape (redis_exporter_last_scrape_ping_time_seconds).", IsSwitch: true),
        new("include-config-metrics", "include_config_metrics", "REDIS_EXPORTER_INCL_CONFIG_METRICS", "Export every CONFIG setting (redis_config_key_value, redis_config_value).", IsSwitch: true),
        new("redact-config-metrics", "redact_config_metrics", "REDIS_EXPORTER_REDACT_CONFIG_METRICS", "Leave passwords out of the config metrics (default true).", IsSwitch: true),
        new("include-modules-metrics", "include_modules_metrics", "REDIS_EXPORTER_INCL_MODULES_METRICS", "Send INFO MODULES for redis_module_info and the modules' fields.", IsSwitch: true),
        new("include-search-indexes-metrics", "include_search_indexes_metrics", "REDIS_EXPORTER_INCL_SEARCH_INDEXES_METRICS", "Export search indexes (FT._LIST, FT.INFO) as redis_search_index_*.", IsSwitch: true),
        new("check-search-indexes", "check_search_indexes", "REDIS_EXPORTER_CHECK_SEARCH_INDEXES", "Regular expression the reported search index names match (default .*)."),
        new("include-sentinel-peer-info", "include_sentinel_peer_info", "REDIS_EXPORTER_INCL_SENTINEL_PEER_INFO", "Export a Sentinel's peers (redis_sentinel_peer_info).", IsSwitch: true),
        new("disable-exporting-key-values", "disable_exporting_key_values", "REDIS_EXPORTER_DISABLE_EXPORTING_KEY_VALUES", "Leave key values out of labels (no redis_key_value_as_string).", IsSwitch: true),
        new("exclude-latency-histogram-metrics", "exclude_latency_histogram_metrics", "REDIS_EXPORTER_EXCLUDE_LATENCY_HISTOGRAM_METRICS", "Send neither LATENCY LATEST nor LATENCY HISTOGRAM.", IsSwitch: true),
        new("include-system-metrics", "include_system_metrics", "REDIS_EXPORTER_INCL_SYSTEM_METRICS", "Export redis_total_system_memory_bytes.", IsSwitch: true),
        new("include-rdb-file-size-metric", "include_rdb_file_size_metric", "REDIS_EXPORTER_INCL_RDB_FILE_SIZE_METRIC", "Export the RDB file's size (needs the file on this host).", IsSwitch: true),
        new("skip-checkkeys-for-role-master", "skip_checkkeys_for_role_master", "REDIS_EXPORTER_SKIP_CHECKKEYS_FOR_ROLE_MASTER", "Skip key, count and stream checks on a primary.", IsSwitch: true),
        new("include-metrics-for-empty-databases", "include_metrics_for_empty_databases", "REDIS_EXPORTER_INCL_METRICS_FOR_EMPTY_DATABASES", "Report zero keys for empty databases (default true).", IsSwitch: true),
        new("append-instance-role-label", "append_instance_role_label", "REDIS_EXPORTER_APPEND_INSTANCE_ROLE_LABEL", "Add instance_role (master or slave) to every series.", IsSwitch: true),
        new("latency-percentile-quantile-labels", "latency_percentile_quantile_labels", "REDIS_EXPORTER_LATENCY_PERCENTILE_QUANTILE_LABELS", "Write redis_latency_percentiles_usec quantiles as 50, 99, 99.9 (redis_exporter's labels) instead of 0.5, 0.99, 0.999.", IsSwitch: true),
    ];

    /// <inheritdoc/>
    public override string Name => "redis";

    /// <inheritdoc/>
    public override string Description => "Redis and Valkey servers (INFO, CONFIG, SLOWLOG, LATENCY, CLUSTER, Sentinel), with redis_exporter's metric names.";

    /// <inheritdoc/>
    public override string? UpMetricName => "redis_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags => FlagList;

    /// <inheritdoc/>
    protected override string? GetUpMetricName(RedisOptions options) =>
        string.IsNullOrEmpty(options.Address) ? null : $"{options.Namespace}_up";

    /// <inheritdoc/>
    protected override void Validate(RedisOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        // An empty address serves only /probe and /scrape, as redis_exporter's --redis.addr= does.
        if (!string.IsNullOrEmpty(options.Address) && !RedisEndpoint.TryParse(options.Address, out _, out var error))
        {
            errors.Add("address", error);
        }

        if (string.IsNullOrEmpty(options.Namespace) || !MetricNames.IsValidMetricName(options.Namespace + "_up"))
        {
            errors.Add("namespace", $"'{options.Namespace}' is not a valid metric name prefix; use letters, digits and underscores");
        }

        if (string.IsNullOrWhiteSpace(options.ConfigCommand) || options.ConfigCommand.Any(char.IsWhiteSpace))
        {
            errors.Add("config_command", "must be a command name (CONFIG, or the name your service renamed it to) or - to skip config metrics");
        }

        if (!string.IsNullOrEmpty(options.Password) && !string.IsNullOrEmpty(options.PasswordFile))
        {
            errors.Add("password_file", "set either password or password_file, not both");
        }

        options.Tls.Validate("tls", errors);
        CheckKeys(options.CheckKeys, "check_keys", errors);
        CheckKeys(options.CheckSingleKeys, "check_single_keys", errors);
        CheckKeys(options.CountKeys, "count_keys", errors);
        CheckKeys(options.CheckStreams, "check_streams", errors);
        CheckKeys(options.CheckSingleStreams, "check_single_streams", errors);
        CheckScripts(options.Scripts, errors);
        if (options.CheckKeysBatchSize is < 1 or > 1_000_000)
        {
            errors.Add("check_keys_batch_size", "must be between 1 and 1000000");
        }

        if (options.MaxClients < 1)
        {
            errors.Add("max_clients", "must be at least 1");
        }

        if (options.MaxDistinctKeyGroups < 1)
        {
            errors.Add("max_distinct_key_groups", "must be at least 1");
        }

        if (!KeyGroups.TryParse(options.CheckKeyGroups, out _, out var groupError))
        {
            errors.Add("check_key_groups", groupError);
        }

        if (!SearchIndexes.TryParsePattern(options.CheckSearchIndexes, out _, out var patternError))
        {
            errors.Add("check_search_indexes", patternError);
        }

        if (options.MaxCheckedKeys < 1)
        {
            errors.Add("max_checked_keys", "must be at least 1");
        }

        if (options.MaxReplyBytes < 64 * 1024)
        {
            errors.Add("max_reply_bytes", "must be at least 65536; INFO ALL alone is tens of kilobytes");
        }

        if (options.ConnectionTimeout.IsZero)
        {
            errors.Add("connection_timeout", "must be above zero, like 5s");
        }

        for (var i = 0; i < options.ProbeTargets.Count; i++)
        {
            var entry = options.ProbeTargets[i];
            var key = $"probe_targets.{i}";
            if (!RedisEndpoint.TryParse(entry.Address, out _, out var targetError))
            {
                errors.Add(key + ".address", targetError);
            }

            if (!string.IsNullOrEmpty(entry.Password) && !string.IsNullOrEmpty(entry.PasswordFile))
            {
                errors.Add(key + ".password_file", "set either password or password_file, not both");
            }

            entry.Tls.Validate(key + ".tls", errors);
        }
    }

    /// <inheritdoc/>
    protected override ICollector Create(RedisOptions options, CollectorCreationContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        return new RedisCollector(options, RedisEndpoint.TryParse(options.Address, out var endpoint, out _) ? endpoint : null, context);
    }

    private static void CheckScripts(List<string> entries, OptionErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in LuaScripts.Paths(entries))
        {
            if (!seen.Add(path))
            {
                // Two entries with one file name would give each of its values twice, with the same labels.
                errors.Add("script", $"'{path}' is listed twice");
            }
            else if (!LuaScripts.TryRead(path, out _, out var error))
            {
                errors.Add("script", error);
            }
        }
    }

    private static void CheckKeys(string? value, string key, OptionErrors errors)
    {
        if (!KeySpec.TryParseList(value, out _, out var error))
        {
            errors.Add(key, error);
        }
    }
}
