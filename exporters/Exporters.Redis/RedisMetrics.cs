using System.Collections.Concurrent;
using Exporters.Abstractions.Metrics;

namespace Exporters.Redis;

/// <summary>The families of one collector instance (declared once per instance because the namespace is configurable).</summary>
internal sealed class RedisMetrics
{
    private static readonly string[] MasterLabels = ["master_host", "master_port"];
    private static readonly string[] SlaveLabels = ["slave_ip", "slave_port", "slave_state"];
    private static readonly string[] KeyLabels = ["db", "key"];
    private static readonly string[] StreamLabels = ["db", "stream"];
    private static readonly string[] GroupLabels = ["db", "stream", "group"];
    private static readonly string[] ConsumerLabels = ["db", "stream", "group", "consumer"];
    private static readonly string[] CmdLabel = ["cmd"];
    private static readonly string[] DbLabel = ["db"];

    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, MetricDefinition> _dynamic = new(StringComparer.Ordinal);

    public RedisMetrics(string ns)
    {
        _prefix = ns + "_";
        Up = new GaugeDefinition(ns + "_up", "Whether the Redis server answered the last scrape (1) or not (0).");
        InstanceInfo = new InfoDefinition(_prefix + "instance_info", "Information about the Redis instance.",
            ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid"]);
        InstanceInfoValkey = new InfoDefinition(_prefix + "instance_info", "Information about the Redis instance.",
            ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid", "valkey_version", "valkey_release_stage"]);
        DbKeysCached = new GaugeDefinition(_prefix + "db_keys_cached", "Total number of cached keys by database (KeyDB).", DbLabel);
        SlaveInfo = new InfoDefinition(_prefix + "slave_info", "Information about the master of this replica.", ["master_host", "master_port", "read_only"]);
        StartTime = new GaugeDefinition(_prefix + "start_time_seconds", "Start time of the Redis instance since unix epoch in seconds.", unit: "seconds");
        CommandsTotal = new CounterDefinition(_prefix + "commands_total", "Total number of calls per command.", CmdLabel);
        CommandsDuration = new CounterDefinition(_prefix + "commands_duration_seconds_total", "Total amount of time in seconds spent per command.", CmdLabel, "seconds");
        CommandsRejected = new CounterDefinition(_prefix + "commands_rejected_calls_total", "Total number of errors before command execution per command.", CmdLabel);
        CommandsFailed = new CounterDefinition(_prefix + "commands_failed_calls_total", "Total number of errors within command execution per command.", CmdLabel);
        ErrorsTotal = new CounterDefinition(_prefix + "errors_total", "Total number of error replies per error prefix.", ["err"]);
        LatencyPercentiles = new SummaryDefinition(_prefix + "latency_percentiles_usec", "Latency percentiles per command in microseconds (quantiles 0.5, 0.99, 0.999).", CmdLabel);
        LatencyHistogram = new HistogramDefinition(_prefix + "commands_latencies_usec", "Histogram of latencies per command in microseconds.", CmdLabel);
        DbKeys = new GaugeDefinition(_prefix + "db_keys", "Total number of keys by database.", DbLabel);
        DbKeysExpiring = new GaugeDefinition(_prefix + "db_keys_expiring", "Total number of expiring keys by database.", DbLabel);
        DbAvgTtl = new GaugeDefinition(_prefix + "db_avg_ttl_seconds", "Average TTL of expiring keys by database in seconds.", DbLabel, "seconds");
        MasterLinkUp = new GaugeDefinition(_prefix + "master_link_up", "Whether the replication link to the master is up.", MasterLabels);
        MasterLastIo = new GaugeDefinition(_prefix + "master_last_io_seconds_ago", "Seconds since the last interaction with the master.", MasterLabels);
        MasterSyncInProgress = new GaugeDefinition(_prefix + "master_sync_in_progress", "Whether the replica is syncing from the master.", MasterLabels);
        MasterLinkDownSince = new GaugeDefinition(_prefix + "master_link_down_since_seconds", "Seconds since the replication link went down.", MasterLabels, "seconds");
        SlaveReplOffset = new GaugeDefinition(_prefix + "slave_repl_offset", "Replication offset of this replica.", MasterLabels);
        ConnectedSlaveOffset = new GaugeDefinition(_prefix + "connected_slave_offset_bytes", "Replication offset of a connected replica in bytes.", SlaveLabels, "bytes");
        ConnectedSlaveLag = new GaugeDefinition(_prefix + "connected_slave_lag_seconds", "Lag of a connected replica in seconds.", SlaveLabels, "seconds");
        ConfigMaxmemory = new GaugeDefinition(_prefix + "config_maxmemory", "The maxmemory setting.");
        ConfigMaxclients = new GaugeDefinition(_prefix + "config_maxclients", "The maxclients setting.");
        ConfigIoThreads = new GaugeDefinition(_prefix + "config_io_threads", "The io-threads setting.");
        SlowlogLength = new GaugeDefinition(_prefix + "slowlog_length", "Total number of entries in the slowlog.");
        SlowlogLastId = new GaugeDefinition(_prefix + "slowlog_last_id", "The id of the most recent slowlog entry.");
        LastSlowExecution = new GaugeDefinition(_prefix + "last_slow_execution_duration_seconds", "The duration of the most recent slowlog entry in seconds.", unit: "seconds");
        LatencySpikeLast = new GaugeDefinition(_prefix + "latency_spike_last", "When the latest latency spike of an event happened (unix time).", ["event_name"]);
        LatencySpikeDuration = new GaugeDefinition(_prefix + "latency_spike_duration_seconds", "Duration of the latest latency spike of an event in seconds.", ["event_name"], "seconds");
        KeySize = new GaugeDefinition(_prefix + "key_size", "The length or size of a checked key.", KeyLabels);
        KeyValue = new GaugeDefinition(_prefix + "key_value", "The value of a checked key that holds a number.", KeyLabels);
        KeysCount = new GaugeDefinition(_prefix + "keys_count", "Number of keys matching a count_keys pattern.", KeyLabels);
        StreamLength = new GaugeDefinition(_prefix + "stream_length", "Number of entries in a stream.", StreamLabels);
        StreamGroups = new GaugeDefinition(_prefix + "stream_groups", "Number of consumer groups of a stream.", StreamLabels);
        StreamRadixKeys = new GaugeDefinition(_prefix + "stream_radix_tree_keys", "Number of radix tree keys of a stream.", StreamLabels);
        StreamRadixNodes = new GaugeDefinition(_prefix + "stream_radix_tree_nodes", "Number of radix tree nodes of a stream.", StreamLabels);
        StreamGroupConsumers = new GaugeDefinition(_prefix + "stream_group_consumers", "Number of consumers of a stream consumer group.", GroupLabels);
        StreamGroupPending = new GaugeDefinition(_prefix + "stream_group_messages_pending", "Pending messages of a stream consumer group.", GroupLabels);
        StreamConsumerPending = new GaugeDefinition(_prefix + "stream_group_consumer_messages_pending", "Pending messages of a stream consumer.", ConsumerLabels);
        StreamConsumerIdle = new GaugeDefinition(_prefix + "stream_group_consumer_idle_seconds", "Seconds since a stream consumer last read.", ConsumerLabels, "seconds");
        KeyChecksTruncated = new GaugeDefinition(_prefix + "exporter_key_checks_truncated", "Whether the last scrape cut key or stream checks short (1), with the reason: time_budget, max_keys or error.", ["reason"]);
        KeyChecksScanned = new GaugeDefinition(_prefix + "exporter_key_checks_scanned_keys", "Keys returned by SCAN for key and stream checks in the last scrape.");
        ScriptValues = new GaugeDefinition(_prefix + "script_values", "Values returned by the collect script.", ["filename", "key"]);
        ScriptResult = new GaugeDefinition(_prefix + "script_result", "Result of the collect script evaluation: 1 ran, 2 ran and returned nothing, 0 failed.", ["filename"]);
        ScriptValuesTruncated = new GaugeDefinition(_prefix + "exporter_script_values_truncated", "Whether the last scrape left out values a script returned (1), with the reason: max_keys or not_a_number.", ["filename", "reason"]);
        ClientConnections = new GaugeDefinition(_prefix + "client_connections", "Connected clients (CLIENT LIST) by client name and flags.", ["client_name", "flags"]);
        SentinelMasterStatus = new GaugeDefinition(_prefix + "sentinel_master_status", "Whether Sentinel sees the master as ok (1) or not (0).", ["master_name", "master_address", "master_status"]);
        SentinelMasterSlaves = new GaugeDefinition(_prefix + "sentinel_master_slaves", "Number of replicas of a master monitored by Sentinel.", ["master_name", "master_address"]);
        SentinelMasterSentinels = new GaugeDefinition(_prefix + "sentinel_master_sentinels", "Number of Sentinels monitoring a master.", ["master_name", "master_address"]);
        LatencyPercentilesAsPercent = new SummaryDefinition(_prefix + "latency_percentiles_usec", "Latency percentiles per command in microseconds (quantiles 50, 99, 99.9, as redis_exporter labels them).", CmdLabel) { MaxQuantile = 100 };
        ActiveTimeIoThread = new CounterDefinition(_prefix + "active_time_io_thread_seconds_total", "Active time of a Valkey I/O thread.", ["thread"]);
        Hz = new GaugeDefinition(_prefix + "hz", "The server's current frequency of background tasks (hz).");
        ConfiguredHz = new GaugeDefinition(_prefix + "configured_hz", "The configured frequency of background tasks (hz).");
        ConfigReplBacklogSize = new GaugeDefinition(_prefix + "config_repl_backlog_size", "The repl-backlog-size setting.");
        ConfigOutputBufferLimit = new GaugeDefinition(_prefix + "config_client_output_buffer_limit_bytes", "The client-output-buffer-limit setting per client class (hard and soft limits).", ["class", "limit"]);
        ConfigOutputBufferOvercome = new GaugeDefinition(_prefix + "config_client_output_buffer_limit_overcome_seconds", "How long a client class may exceed its soft output buffer limit before it is disconnected.", ["class", "limit"]);
        ConfigKeyValue = new GaugeDefinition(_prefix + "config_key_value", "A CONFIG setting and its value (1).", ["key", "value"]);
        ConfigValue = new GaugeDefinition(_prefix + "config_value", "A numeric CONFIG setting.", ["key"]);
        RdbCurrentSize = new GaugeDefinition(_prefix + "rdb_current_size_bytes", "Current size of the RDB file in bytes.");
        PingTime = new GaugeDefinition(_prefix + "exporter_last_scrape_ping_time_seconds", "The time a PING took in the last scrape.");
        ModuleInfo = new GaugeDefinition(_prefix + "module_info", "Information about a loaded module (INFO MODULES).", ["name", "ver", "api", "filters", "usedby", "using"]);
        KeyMemoryUsage = new GaugeDefinition(_prefix + "key_memory_usage_bytes", "The memory a checked key uses in bytes (MEMORY USAGE).", KeyLabels);
        KeyValueAsString = new GaugeDefinition(_prefix + "key_value_as_string", "The value of a checked string key, as a label (1).", ["db", "key", "val"]);
        KeyGroupCount = new GaugeDefinition(_prefix + "key_group_count", "Number of keys in a key group.", ["db", "key_group"]);
        KeyGroupMemory = new GaugeDefinition(_prefix + "key_group_memory_usage_bytes", "Memory used by the keys of a key group in bytes.", ["db", "key_group"]);
        KeyGroupsDistinct = new GaugeDefinition(_prefix + "number_of_distinct_key_groups", "Number of distinct key groups in a database (before the overflow group).", DbLabel);
        KeyGroupsDuration = new GaugeDefinition(_prefix + "last_key_groups_scrape_duration_milliseconds", "Duration of the last key group scan in milliseconds.");
        StreamLastGeneratedId = new GaugeDefinition(_prefix + "stream_last_generated_id", "The millisecond time of the last id generated in a stream.", StreamLabels);
        StreamMaxDeletedId = new GaugeDefinition(_prefix + "stream_max_deleted_entry_id", "The millisecond time of the last entry deleted from a stream.", StreamLabels);
        StreamFirstEntryId = new GaugeDefinition(_prefix + "stream_first_entry_id", "The millisecond time of the first entry of a stream.", StreamLabels);
        StreamLastEntryId = new GaugeDefinition(_prefix + "stream_last_entry_id", "The millisecond time of the last entry of a stream.", StreamLabels);
        StreamEntriesAdded = new CounterDefinition(_prefix + "stream_entries_added_total", "Entries added to a stream over its lifetime.", StreamLabels);
        StreamGroupLastDeliveredId = new GaugeDefinition(_prefix + "stream_group_last_delivered_id", "The millisecond time of the last entry delivered to a consumer group.", GroupLabels);
        StreamGroupEntriesRead = new GaugeDefinition(_prefix + "stream_group_entries_read", "Entries read by a consumer group.", GroupLabels);
        StreamGroupLag = new GaugeDefinition(_prefix + "stream_group_lag", "Entries of a stream not yet delivered to a consumer group.", GroupLabels);
        ConnectedClientInfo = new GaugeDefinition(_prefix + "connected_client_info", "A connected client (CLIENT LIST), with its details as labels (1).", ["id", "name", "flags", "db", "host", "user", "resp"]);
        ConnectedClientInfoWithPort = new GaugeDefinition(_prefix + "connected_client_info", "A connected client (CLIENT LIST), with its details as labels (1).", ["id", "name", "flags", "db", "host", "port", "user", "resp"]);
        ConnectedClientGauges = [.. ClientGaugeNames.Select(n => new GaugeDefinition(_prefix + "connected_client_" + n.Name, n.Help, ["id", "name"]))];
        ClientsNotListed = new GaugeDefinition(_prefix + "exporter_clients_not_listed", "Clients of CLIENT LIST left out of the per-client families by max_clients in the last scrape.");
        SentinelMasterCkquorum = new GaugeDefinition(_prefix + "sentinel_master_setting_ckquorum", "The quorum configured for a master monitored by Sentinel.", ["master_name", "master_address"]);
        SentinelCkquorumStatus = new GaugeDefinition(_prefix + "sentinel_master_ckquorum_status", "Whether SENTINEL CKQUORUM finds enough Sentinels to fail the master over (1), with its message.", ["master_name", "message"]);
        SentinelOkSentinels = new GaugeDefinition(_prefix + "sentinel_master_ok_sentinels", "Sentinels able to reach the master, per SENTINEL CKQUORUM.", ["master_name", "master_address"]);
        SentinelOkSlaves = new GaugeDefinition(_prefix + "sentinel_master_ok_slaves", "Replicas of the master that Sentinel sees as ok.", ["master_name", "master_address"]);
        SentinelDownAfter = new GaugeDefinition(_prefix + "sentinel_master_setting_down_after_milliseconds", "The down-after-milliseconds setting of a master.", ["master_name", "master_address"]);
        SentinelFailoverTimeout = new GaugeDefinition(_prefix + "sentinel_master_setting_failover_timeout", "The failover-timeout setting of a master.", ["master_name", "master_address"]);
        SentinelParallelSyncs = new GaugeDefinition(_prefix + "sentinel_master_setting_parallel_syncs", "The parallel-syncs setting of a master.", ["master_name", "master_address"]);
        SentinelConfigEpoch = new GaugeDefinition(_prefix + "sentinel_master_config_epoch", "The configuration epoch of a master (grows at each failover).", ["master_name", "master_address"]);
        SentinelLastOkPing = new GaugeDefinition(_prefix + "sentinel_master_last_ok_ping_reply_seconds", "Seconds since the master last answered a PING.", ["master_name", "master_address"]);
        SentinelConfigKeyValue = new GaugeDefinition(_prefix + "sentinel_config_key_value", "A Sentinel setting and its value (1).", ["key", "value"]);
        SentinelConfigValue = new GaugeDefinition(_prefix + "sentinel_config_value", "A numeric Sentinel setting.", ["key"]);
        SentinelPeerInfo = new GaugeDefinition(_prefix + "sentinel_peer_info", "Another Sentinel watching a master (SENTINEL SENTINELS).", ["master_name", "master_address", "name", "ip", "port", "runid", "flags"]);
        ScrapesTotal = new CounterDefinition(_prefix + "exporter_scrapes_total", "Current total redis scrapes.");
        TargetScrapeRequestErrors = new CounterDefinition(_prefix + "target_scrape_request_errors_total", "Errors in requests to /scrape or /probe that this collector could not act on (target or parameters).");
        LastScrapeDuration = new GaugeDefinition(_prefix + "exporter_last_scrape_duration_seconds", "The last scrape duration.", unit: "seconds");
        LastScrapeError = new GaugeDefinition(_prefix + "exporter_last_scrape_error", "The last scrape error status (1 with the message, or 0 with an empty message).", ["err"]);
        LastScrapeConnectTime = new GaugeDefinition(_prefix + "exporter_last_scrape_connect_time_seconds", "The time it took to connect in the last scrape (0 when the connection was reused).", unit: "seconds");
        ScrapeDuration = new SummaryDefinition(_prefix + "exporter_scrape_duration_seconds", "Durations of scrapes by the exporter.", unit: "seconds");
    }

    public GaugeDefinition Up { get; }
    public InfoDefinition InstanceInfo { get; }
    public InfoDefinition InstanceInfoValkey { get; }
    public GaugeDefinition DbKeysCached { get; }
    public InfoDefinition SlaveInfo { get; }
    public GaugeDefinition StartTime { get; }
    public CounterDefinition CommandsTotal { get; }
    public CounterDefinition CommandsDuration { get; }
    public CounterDefinition CommandsRejected { get; }
    public CounterDefinition CommandsFailed { get; }
    public CounterDefinition ErrorsTotal { get; }
    public SummaryDefinition LatencyPercentiles { get; }
    public HistogramDefinition LatencyHistogram { get; }
    public GaugeDefinition DbKeys { get; }
    public GaugeDefinition DbKeysExpiring { get; }
    public GaugeDefinition DbAvgTtl { get; }
    public GaugeDefinition MasterLinkUp { get; }
    public GaugeDefinition MasterLastIo { get; }
    public GaugeDefinition MasterSyncInProgress { get; }
    public GaugeDefinition MasterLinkDownSince { get; }
    public GaugeDefinition SlaveReplOffset { get; }
    public GaugeDefinition ConnectedSlaveOffset { get; }
    public GaugeDefinition ConnectedSlaveLag { get; }
    public GaugeDefinition ConfigMaxmemory { get; }
    public GaugeDefinition ConfigMaxclients { get; }
    public GaugeDefinition ConfigIoThreads { get; }
    public GaugeDefinition SlowlogLength { get; }
    public GaugeDefinition SlowlogLastId { get; }
    public GaugeDefinition LastSlowExecution { get; }
    public GaugeDefinition LatencySpikeLast { get; }
    public GaugeDefinition LatencySpikeDuration { get; }
    public GaugeDefinition KeySize { get; }
    public GaugeDefinition KeyValue { get; }
    public GaugeDefinition KeysCount { get; }
    public GaugeDefinition StreamLength { get; }
    public GaugeDefinition StreamGroups { get; }
    public GaugeDefinition StreamRadixKeys { get; }
    public GaugeDefinition StreamRadixNodes { get; }
    public GaugeDefinition StreamGroupConsumers { get; }
    public GaugeDefinition StreamGroupPending { get; }
    public GaugeDefinition StreamConsumerPending { get; }
    public GaugeDefinition StreamConsumerIdle { get; }
    public GaugeDefinition KeyChecksTruncated { get; }
    public GaugeDefinition KeyChecksScanned { get; }
    public GaugeDefinition ScriptValues { get; }
    public GaugeDefinition ScriptResult { get; }
    public GaugeDefinition ScriptValuesTruncated { get; }
    public GaugeDefinition ClientConnections { get; }
    public GaugeDefinition SentinelMasterStatus { get; }
    public GaugeDefinition SentinelMasterSlaves { get; }
    public GaugeDefinition SentinelMasterSentinels { get; }
    public SummaryDefinition LatencyPercentilesAsPercent { get; }
    public CounterDefinition ActiveTimeIoThread { get; }
    public GaugeDefinition Hz { get; }
    public GaugeDefinition ConfiguredHz { get; }
    public GaugeDefinition ConfigReplBacklogSize { get; }
    public GaugeDefinition ConfigOutputBufferLimit { get; }
    public GaugeDefinition ConfigOutputBufferOvercome { get; }
    public GaugeDefinition ConfigKeyValue { get; }
    public GaugeDefinition ConfigValue { get; }
    public GaugeDefinition RdbCurrentSize { get; }
    public GaugeDefinition PingTime { get; }
    public GaugeDefinition ModuleInfo { get; }
    public GaugeDefinition KeyMemoryUsage { get; }
    public GaugeDefinition KeyValueAsString { get; }
    public GaugeDefinition KeyGroupCount { get; }
    public GaugeDefinition KeyGroupMemory { get; }
    public GaugeDefinition KeyGroupsDistinct { get; }
    public GaugeDefinition KeyGroupsDuration { get; }
    public GaugeDefinition StreamLastGeneratedId { get; }
    public GaugeDefinition StreamMaxDeletedId { get; }
    public GaugeDefinition StreamFirstEntryId { get; }
    public GaugeDefinition StreamLastEntryId { get; }
    public CounterDefinition StreamEntriesAdded { get; }
    public GaugeDefinition StreamGroupLastDeliveredId { get; }
    public GaugeDefinition StreamGroupEntriesRead { get; }
    public GaugeDefinition StreamGroupLag { get; }
    public GaugeDefinition ConnectedClientInfo { get; }
    public GaugeDefinition ConnectedClientInfoWithPort { get; }
    public GaugeDefinition[] ConnectedClientGauges { get; }
    public GaugeDefinition ClientsNotListed { get; }
    public GaugeDefinition SentinelMasterCkquorum { get; }
    public GaugeDefinition SentinelCkquorumStatus { get; }
    public GaugeDefinition SentinelOkSentinels { get; }
    public GaugeDefinition SentinelOkSlaves { get; }
    public GaugeDefinition SentinelDownAfter { get; }
    public GaugeDefinition SentinelFailoverTimeout { get; }
    public GaugeDefinition SentinelParallelSyncs { get; }
    public GaugeDefinition SentinelConfigEpoch { get; }
    public GaugeDefinition SentinelLastOkPing { get; }
    public GaugeDefinition SentinelConfigKeyValue { get; }
    public GaugeDefinition SentinelConfigValue { get; }
    public GaugeDefinition SentinelPeerInfo { get; }

    /// <summary>The per-client gauges of redis_exporter's client list: the CLIENT LIST field each reads, its family suffix and help.</summary>
    public static readonly (string Field, string Name, string Help)[] ClientGaugeNames =
    [
        ("omem", "output_buffer_memory_usage_bytes", "Memory used by a client's output buffer in bytes."),
        ("tot-mem", "total_memory_consumed_bytes", "Total memory a client uses in bytes."),
        ("age", "created_at_timestamp", "When a client connected (unix time)."),
        ("idle", "idle_since_timestamp", "Since when a client is idle (unix time)."),
        ("sub", "channel_subscriptions_count", "Channel subscriptions of a client."),
        ("psub", "pattern_matching_subscriptions_count", "Pattern subscriptions of a client."),
        ("qbuf", "query_buffer_length_bytes", "Length of a client's query buffer in bytes."),
        ("qbuf-free", "query_buffer_free_space_bytes", "Free space of a client's query buffer in bytes."),
        ("obl", "output_buffer_length_bytes", "Length of a client's fixed output buffer in bytes."),
        ("oll", "output_list_length", "Length of a client's output list."),
        ("ssub", "shard_channel_subscriptions_count", "Shard channel subscriptions of a client (Redis 7.0.3 and later)."),
        ("watch", "shard_channel_watched_keys", "Keys a client watches (Redis 7.4 and later)."),
    ];

    public CounterDefinition ScrapesTotal { get; }
    public CounterDefinition TargetScrapeRequestErrors { get; }
    public GaugeDefinition LastScrapeDuration { get; }
    public GaugeDefinition LastScrapeError { get; }
    public GaugeDefinition LastScrapeConnectTime { get; }
    public SummaryDefinition ScrapeDuration { get; }

    /// <summary>
    /// The family of a mapped or prefixed INFO field, created on first use and then reused, so the set of families
    /// grows only with the fields a server actually reports.
    /// </summary>
    public MetricDefinition Field(string metric, bool counter, string field) => _dynamic.GetOrAdd(metric, static (name, state) =>
        state.Counter
            ? new CounterDefinition(state.Prefix + name, $"Redis INFO field {state.Field}.")
            : new GaugeDefinition(state.Prefix + name, $"Redis INFO field {state.Field}."),
        (Prefix: _prefix, Counter: counter, Field: field));
}
