using System.Diagnostics.CodeAnalysis;
using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Exporters.Redis;

/// <summary>Options of one Redis (or Valkey) collector instance. Key names follow redis_exporter's flags.</summary>
public sealed partial class RedisOptions : CollectorOptions
{
    /// <summary>Creates options with redis_exporter's defaults.</summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RedisTlsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RedisProbeTargetOptions))]
    public RedisOptions()
    {
        // The host binds nested option classes by reflection; these keep their setters in a trimmed build.
    }

    /// <summary>
    /// The server: <c>redis://host:6379</c>, <c>rediss://host:6380</c>, <c>unix:///run/redis.sock</c> or
    /// <c>host:6379</c>. Defaults to the main container on localhost, as redis_exporter does.
    /// </summary>
    [ConfigurationKeyName("address")]
    public string? Address { get; set; } = "redis://localhost:6379";

    /// <summary>ACL user name for <c>AUTH</c>; empty means the default user.</summary>
    [ConfigurationKeyName("user")]
    public string? User { get; set; }

    /// <summary>Password for <c>AUTH</c>.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>
    /// A file holding the password, read at every scrape so a rotated secret takes effect. As with redis_exporter, a file holding a JSON
    /// object maps addresses to passwords (<c>{"redis://host:6379": "secret"}</c>).
    /// </summary>
    [ConfigurationKeyName("password_file")]
    public string? PasswordFile { get; set; }

    /// <summary>The name the connection gives itself with <c>CLIENT SETNAME</c>; empty to skip it.</summary>
    [ConfigurationKeyName("client_name")]
    public string? ClientName { get; set; } = "redis_exporter";

    /// <summary>TLS settings for <c>rediss://</c> addresses.</summary>
    [ConfigurationKeyName("tls")]
    public RedisTlsOptions Tls { get; set; } = new();

    /// <summary>The longest a connection attempt may take (always within the scrape's deadline).</summary>
    [ConfigurationKeyName("connection_timeout")]
    public Duration ConnectionTimeout { get; set; } = Duration.FromSeconds(15);

    /// <summary>The name of the CONFIG command (managed services rename it); <c>-</c> turns config metrics off.</summary>
    [ConfigurationKeyName("config_command")]
    public string ConfigCommand { get; set; } = "CONFIG";

    /// <summary>The prefix of every metric name.</summary>
    [ConfigurationKeyName("namespace")]
    public string Namespace { get; set; } = "redis";

    /// <summary>Key patterns to report the size (and numeric value) of, found with SCAN: <c>db3=user_*,other*</c>.</summary>
    [ConfigurationKeyName("check_keys")]
    public string? CheckKeys { get; set; }

    /// <summary>Single keys to report, without SCAN: <c>db0=counter,db1=queue</c>. A missing key is absent from the output.</summary>
    [ConfigurationKeyName("check_single_keys")]
    public string? CheckSingleKeys { get; set; }

    /// <summary>Patterns whose number of matching keys is reported: <c>db0=session:*</c>.</summary>
    [ConfigurationKeyName("count_keys")]
    public string? CountKeys { get; set; }

    /// <summary>Stream key patterns to report (length, groups, consumers), found with SCAN.</summary>
    [ConfigurationKeyName("check_streams")]
    public string? CheckStreams { get; set; }

    /// <summary>Single stream keys to report, without SCAN.</summary>
    [ConfigurationKeyName("check_single_streams")]
    public string? CheckSingleStreams { get; set; }

    /// <summary>The COUNT hint of each SCAN call of key checks.</summary>
    [ConfigurationKeyName("check_keys_batch_size")]
    public int CheckKeysBatchSize { get; set; } = 1000;

    /// <summary>
    /// The most keys key checks report per scrape, and the most values each Lua script reports; more are cut and
    /// said so in a metric.
    /// </summary>
    [ConfigurationKeyName("max_checked_keys")]
    public int MaxCheckedKeys { get; set; } = 1000;

    /// <summary>
    /// The share of the scrape's time left that key checks may use, after the main round trip; what is not done in
    /// time is cut and said so in a metric.
    /// </summary>
    [ConfigurationKeyName("key_checks_budget")]
    public Duration KeyChecksBudget { get; set; } = Duration.FromSeconds(2);

    /// <summary>
    /// Lua scripts run at every scrape (with no keys); each returns alternating keys and values, reported as
    /// <c>redis_script_values{filename,key}</c>. An entry may hold several paths separated by commas, as
    /// redis_exporter's <c>--script</c> does. The files are read when the instance starts, not at every scrape.
    /// </summary>
    [ConfigurationKeyName("script")]
    public List<string> Scripts { get; set; } = [];

    /// <summary>
    /// Whether to report every connected client (<c>CLIENT LIST</c>) as redis_exporter does:
    /// <c>redis_connected_client_info</c> and the per-client gauges, one series per connection (at most
    /// <see cref="MaxClients"/>). For a bounded view use <see cref="ExportClientConnections"/>.
    /// </summary>
    [ConfigurationKeyName("export_client_list")]
    public bool ExportClientList { get; set; }

    /// <summary>With <see cref="ExportClientList"/>, whether the client's port is a label too (one series per connection even from one host).</summary>
    [ConfigurationKeyName("export_client_port")]
    public bool ExportClientPort { get; set; }

    /// <summary>The most clients <see cref="ExportClientList"/> reports; the rest are counted, not listed.</summary>
    [ConfigurationKeyName("max_clients")]
    public int MaxClients { get; set; } = 1000;

    /// <summary>
    /// Whether to report connected clients aggregated by client name and flags in <c>redis_client_connections</c>:
    /// the low-cardinality choice, independent of the number of connections.
    /// </summary>
    [ConfigurationKeyName("export_client_connections")]
    public bool ExportClientConnections { get; set; }

    /// <summary>Whether to send <c>LATENCY HISTOGRAM</c> (Redis 7 and later) for <c>redis_commands_latencies_usec</c>.</summary>
    [ConfigurationKeyName("latency_histograms")]
    public bool LatencyHistograms { get; set; } = true;

    /// <summary>
    /// redis_exporter's <c>--exclude-latency-histogram-metrics</c>: neither <c>LATENCY LATEST</c> nor
    /// <c>LATENCY HISTOGRAM</c> is sent (for services that refuse them).
    /// </summary>
    [ConfigurationKeyName("exclude_latency_histogram_metrics")]
    public bool ExcludeLatencyMetrics { get; set; }

    /// <summary>
    /// Whether <c>redis_latency_percentiles_usec</c> uses redis_exporter's quantile labels (<c>50</c>, <c>99</c>,
    /// <c>99.9</c>) instead of the Prometheus convention (<c>0.5</c>, <c>0.99</c>, <c>0.999</c>, the default).
    /// </summary>
    [ConfigurationKeyName("latency_percentile_quantile_labels")]
    public bool LatencyPercentileQuantileLabels { get; set; }

    /// <summary>Whether <c>CLIENT SETNAME</c> names the connection (with <see cref="ClientName"/>).</summary>
    [ConfigurationKeyName("set_client_name")]
    public bool SetClientName { get; set; } = true;

    /// <summary>Whether to time a <c>PING</c> in <c>redis_exporter_last_scrape_ping_time_seconds</c>.</summary>
    [ConfigurationKeyName("ping_on_connect")]
    public bool PingOnConnect { get; set; }

    /// <summary>Whether to report <c>total_system_memory</c> as <c>redis_total_system_memory_bytes</c>.</summary>
    [ConfigurationKeyName("include_system_metrics")]
    public bool IncludeSystemMetrics { get; set; }

    /// <summary>Whether to report every setting of <c>CONFIG GET *</c> in <c>redis_config_key_value</c> and <c>redis_config_value</c>.</summary>
    [ConfigurationKeyName("include_config_metrics")]
    public bool IncludeConfigMetrics { get; set; }

    /// <summary>Whether passwords (<c>requirepass</c>, <c>masterauth</c>, TLS key passphrases) are left out of the config metrics.</summary>
    [ConfigurationKeyName("redact_config_metrics")]
    public bool RedactConfigMetrics { get; set; } = true;

    /// <summary>Whether to send <c>INFO MODULES</c> (not part of <c>INFO ALL</c>) for <c>redis_module_info</c> and module fields.</summary>
    [ConfigurationKeyName("include_modules_metrics")]
    public bool IncludeModulesMetrics { get; set; }

    /// <summary>Whether to report search indexes (<c>FT._LIST</c>, <c>FT.INFO</c>) as <c>redis_search_index_*</c>.</summary>
    [ConfigurationKeyName("include_search_indexes_metrics")]
    public bool IncludeSearchIndexesMetrics { get; set; }

    /// <summary>A regular expression the names of reported search indexes must match.</summary>
    [ConfigurationKeyName("check_search_indexes")]
    public string CheckSearchIndexes { get; set; } = ".*";

    /// <summary>Whether a Sentinel reports its peers (<c>SENTINEL SENTINELS</c>) in <c>redis_sentinel_peer_info</c>.</summary>
    [ConfigurationKeyName("include_sentinel_peer_info")]
    public bool IncludeSentinelPeerInfo { get; set; }

    /// <summary>Whether key checks leave out <c>redis_key_value_as_string</c> (values as labels).</summary>
    [ConfigurationKeyName("disable_exporting_key_values")]
    public bool DisableExportingKeyValues { get; set; }

    /// <summary>Whether to report the size of the RDB file (<c>dir</c>/<c>dbfilename</c>), readable only on the same host.</summary>
    [ConfigurationKeyName("include_rdb_file_size_metric")]
    public bool IncludeRdbFileSizeMetric { get; set; }

    /// <summary>Whether key, count and stream checks are skipped on a primary, to spare it.</summary>
    [ConfigurationKeyName("skip_checkkeys_for_role_master")]
    public bool SkipCheckKeysForRoleMaster { get; set; }

    /// <summary>Whether empty databases (below <c>databases</c>) report zero keys; off, only databases holding keys appear.</summary>
    [ConfigurationKeyName("include_metrics_for_empty_databases")]
    public bool IncludeMetricsForEmptyDatabases { get; set; } = true;

    /// <summary>Whether every series of this instance carries <c>instance_role</c> (<c>master</c> or <c>slave</c>), which follows a failover.</summary>
    [ConfigurationKeyName("append_instance_role_label")]
    public bool AppendInstanceRoleLabel { get; set; }

    /// <summary>Whether Lua scripts run with <c>EVAL_RO</c>/<c>EVALSHA_RO</c>, so they can run on read-only replicas and cannot write.</summary>
    [ConfigurationKeyName("lua_script_read_only")]
    public bool LuaScriptReadOnly { get; set; }

    /// <summary>Comma-separated Lua patterns grouping the keys of each database by <c>MEMORY USAGE</c> (<c>redis_key_group_*</c>).</summary>
    [ConfigurationKeyName("check_key_groups")]
    public string? CheckKeyGroups { get; set; }

    /// <summary>The most key groups reported per database; the rest are summed into the <c>overflow</c> group.</summary>
    [ConfigurationKeyName("max_distinct_key_groups")]
    public int MaxDistinctKeyGroups { get; set; } = 100;

    /// <summary>Whether stream checks leave out the per-consumer families.</summary>
    [ConfigurationKeyName("streams_exclude_consumer_metrics")]
    public bool StreamsExcludeConsumerMetrics { get; set; }

    /// <summary>
    /// A Redis Cluster: key and stream checks follow <c>MOVED</c>/<c>ASK</c> to the node that holds each key, and
    /// <c>/discover-cluster-nodes</c> lists the cluster's nodes.
    /// </summary>
    [ConfigurationKeyName("is_cluster")]
    public bool IsCluster { get; set; }

    /// <summary>Whether <c>/discover-cluster-nodes</c> lists nodes by host name, where the cluster announces one.</summary>
    [ConfigurationKeyName("cluster_discover_hostnames")]
    public bool ClusterDiscoverHostnames { get; set; }

    /// <summary>Whether the server is Tile38: <c>SERVER EXT</c> adds the <c>redis_tile38_*</c> fields.</summary>
    [ConfigurationKeyName("is_tile38")]
    public bool IsTile38 { get; set; }

    /// <summary>
    /// Whether a <c>/probe</c> target without its own settings may use this instance's user, password and client
    /// certificate. Off by default, so a credential is only ever sent to the server it was configured for.
    /// </summary>
    [ConfigurationKeyName("probe_use_instance_credentials")]
    public bool ProbeUseInstanceCredentials { get; set; }

    /// <summary>Per-target credentials and TLS settings for <c>/probe</c>, matched by address.</summary>
    [ConfigurationKeyName("probe_targets")]
    public List<RedisProbeTargetOptions> ProbeTargets { get; set; } = [];

    /// <summary>The largest reply accepted, in bytes; a larger one fails the scrape rather than exhausting memory.</summary>
    [ConfigurationKeyName("max_reply_bytes")]
    public long MaxReplyBytes { get; set; } = 64L * 1024 * 1024;

    /// <inheritdoc/>
    public override string? GetTarget() => Address;
}

/// <summary>TLS settings for <c>rediss://</c> targets: the shared client keys plus the name to expect in the server certificate.</summary>
public sealed class RedisTlsOptions : ClientTlsOptions
{
    /// <summary>The name expected in the server certificate (default: the address' host).</summary>
    [ConfigurationKeyName("server_name")]
    public string? ServerName { get; set; }
}

/// <summary>Credentials and TLS settings for one <c>/probe</c> target.</summary>
public sealed class RedisProbeTargetOptions
{
    /// <summary>The target these settings apply to, as given in <c>?target=</c> (compared without credentials).</summary>
    [ConfigurationKeyName("address")]
    public string? Address { get; set; }

    /// <summary>ACL user name.</summary>
    [ConfigurationKeyName("user")]
    public string? User { get; set; }

    /// <summary>Password.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>A file holding the password.</summary>
    [ConfigurationKeyName("password_file")]
    public string? PasswordFile { get; set; }

    /// <summary>TLS settings for this target.</summary>
    [ConfigurationKeyName("tls")]
    public RedisTlsOptions Tls { get; set; } = new();
}
