using System.Text.Json;
using Exporters.Abstractions.Metrics;

namespace Exporters.Elasticsearch;

/// <summary>Node statistics (<c>GET /_nodes/&lt;node&gt;/stats</c>), streamed node by node, with elasticsearch_exporter's families.</summary>
internal static class NodeStatsCollector
{
    private const double Ms = 0.001;

    private static readonly string[] NodeLabels = ["cluster", "host", "name", "es_master_node", "es_data_node", "es_ingest_node", "es_client_node"];

    private static readonly string[] KnownRoles = ["master", "data", "ingest", "client"];

    /// <summary>The roles elasticsearch_exporter always reports in <c>elasticsearch_nodes_roles</c>, 0 when a node lacks them.</summary>
    private static readonly string[] ReportedRoles = ["master", "data", "data_hot", "data_warm", "data_cold", "data_frozen", "data_content", "ml", "remote_cluster_client", "transform", "ingest", "client"];

    /// <summary>Roles that make a node a data node for <c>es_data_node</c>: the generic one and the data tiers of 7.10+.</summary>
    private static readonly string[] DataRoles = ["data", "data_content", "data_hot", "data_warm", "data_cold", "data_frozen"];

    /// <summary>Simple families: one JSON number per node.</summary>
    private static readonly (MetricDefinition Definition, string Path, double Scale)[] Simple =
    [
        G("elasticsearch_os_load1", "Shortterm load average", "os.cpu.load_average.1m"),
        G("elasticsearch_os_load5", "Midterm load average", "os.cpu.load_average.5m"),
        G("elasticsearch_os_load15", "Longterm load average", "os.cpu.load_average.15m"),
        G("elasticsearch_os_cpu_percent", "Percent CPU used by OS", "os.cpu.percent"),
        G("elasticsearch_os_mem_free_bytes", "Amount of free physical memory in bytes", "os.mem.free_in_bytes"),
        G("elasticsearch_os_mem_used_bytes", "Amount of used physical memory in bytes", "os.mem.used_in_bytes"),
        G("elasticsearch_os_mem_actual_free_bytes", "Amount of free physical memory in bytes (Elasticsearch 1.x)", "os.mem.actual_free_in_bytes"),
        G("elasticsearch_os_mem_actual_used_bytes", "Amount of used physical memory in bytes (Elasticsearch 1.x)", "os.mem.actual_used_in_bytes"),
        G("elasticsearch_indices_fielddata_memory_size_bytes", "Field data cache memory usage in bytes", "indices.fielddata.memory_size_in_bytes"),
        C("elasticsearch_indices_fielddata_evictions", "Evictions from field data", "indices.fielddata.evictions"),
        C("elasticsearch_indices_completion_size_in_bytes", "Completion in bytes", "indices.completion.size_in_bytes"),
        G("elasticsearch_indices_filter_cache_memory_size_bytes", "Filter cache memory usage in bytes (Elasticsearch 1.x)", "indices.filter_cache.memory_size_in_bytes"),
        C("elasticsearch_indices_filter_cache_evictions", "Evictions from filter cache (Elasticsearch 1.x)", "indices.filter_cache.evictions"),
        G("elasticsearch_indices_query_cache_memory_size_bytes", "Query cache memory usage in bytes", "indices.query_cache.memory_size_in_bytes"),
        C("elasticsearch_indices_query_cache_evictions", "Evictions from query cache", "indices.query_cache.evictions"),
        C("elasticsearch_indices_query_cache_total", "Query cache total count", "indices.query_cache.total_count"),
        G("elasticsearch_indices_query_cache_cache_size", "Query cache cache size", "indices.query_cache.cache_size"),
        C("elasticsearch_indices_query_cache_cache_total", "Query cache cache count", "indices.query_cache.cache_count"),
        G("elasticsearch_indices_request_cache_memory_size_bytes", "Request cache memory usage in bytes", "indices.request_cache.memory_size_in_bytes"),
        C("elasticsearch_indices_request_cache_evictions", "Evictions from request cache", "indices.request_cache.evictions"),
        C("elasticsearch_indices_translog_operations", "Total translog operations", "indices.translog.operations"),
        G("elasticsearch_indices_translog_size_in_bytes", "Total translog size in bytes", "indices.translog.size_in_bytes"),
        C("elasticsearch_indices_get_time_seconds", "Total get time in seconds", "indices.get.time_in_millis", Ms),
        C("elasticsearch_indices_get_total", "Total get", "indices.get.total"),
        C("elasticsearch_indices_get_missing_time_seconds", "Total time of get missing in seconds", "indices.get.missing_time_in_millis", Ms),
        C("elasticsearch_indices_get_missing_total", "Total get missing", "indices.get.missing_total"),
        C("elasticsearch_indices_get_exists_time_seconds", "Total time get exists in seconds", "indices.get.exists_time_in_millis", Ms),
        C("elasticsearch_indices_get_exists_total", "Total get exists operations", "indices.get.exists_total"),
        C("elasticsearch_indices_refresh_time_seconds_total", "Total time spent refreshing in seconds", "indices.refresh.total_time_in_millis", Ms),
        C("elasticsearch_indices_refresh_total", "Total refreshes", "indices.refresh.total"),
        C("elasticsearch_indices_refresh_external_total", "Total external refreshes", "indices.refresh.external_total"),
        C("elasticsearch_indices_refresh_external_time_seconds_total", "Total time spent on external refreshes in seconds", "indices.refresh.external_total_time_in_millis", Ms),
        C("elasticsearch_indices_search_query_time_seconds", "Total search query time in seconds", "indices.search.query_time_in_millis", Ms),
        C("elasticsearch_indices_search_query_total", "Total number of queries", "indices.search.query_total"),
        C("elasticsearch_indices_search_fetch_time_seconds", "Total search fetch time in seconds", "indices.search.fetch_time_in_millis", Ms),
        C("elasticsearch_indices_search_fetch_total", "Total number of fetches", "indices.search.fetch_total"),
        C("elasticsearch_indices_search_suggest_total", "Total number of suggests", "indices.search.suggest_total"),
        C("elasticsearch_indices_search_suggest_time_seconds", "Total suggest time in seconds", "indices.search.suggest_time_in_millis", Ms),
        C("elasticsearch_indices_search_scroll_total", "Total scrolls", "indices.search.scroll_total"),
        C("elasticsearch_indices_search_scroll_time_seconds", "Total scroll time in seconds", "indices.search.scroll_time_in_millis", Ms),
        G("elasticsearch_indices_search_scroll_current", "Current scrolls", "indices.search.scroll_current"),
        G("elasticsearch_indices_docs", "Count of documents on this node", "indices.docs.count"),
        G("elasticsearch_indices_docs_deleted", "Count of deleted documents on this node", "indices.docs.deleted"),
        G("elasticsearch_indices_store_size_bytes", "Current size of stored index data in bytes", "indices.store.size_in_bytes"),
        C("elasticsearch_indices_store_throttle_time_seconds_total", "Throttle time for index store in seconds", "indices.store.throttle_time_in_millis", Ms),
        G("elasticsearch_indices_segments_memory_bytes", "Current memory size of segments in bytes", "indices.segments.memory_in_bytes"),
        G("elasticsearch_indices_segments_count", "Count of index segments on this node", "indices.segments.count"),
        G("elasticsearch_indices_segments_terms_memory_in_bytes", "Count of terms in memory for this node", "indices.segments.terms_memory_in_bytes"),
        G("elasticsearch_indices_segments_index_writer_memory_in_bytes", "Count of memory for index writer on this node", "indices.segments.index_writer_memory_in_bytes"),
        G("elasticsearch_indices_segments_norms_memory_in_bytes", "Count of memory used by norms", "indices.segments.norms_memory_in_bytes"),
        G("elasticsearch_indices_segments_stored_fields_memory_in_bytes", "Count of stored fields memory", "indices.segments.stored_fields_memory_in_bytes"),
        G("elasticsearch_indices_segments_doc_values_memory_in_bytes", "Count of doc values memory", "indices.segments.doc_values_memory_in_bytes"),
        G("elasticsearch_indices_segments_fixed_bit_set_memory_in_bytes", "Count of fixed bit set", "indices.segments.fixed_bit_set_memory_in_bytes"),
        G("elasticsearch_indices_segments_term_vectors_memory_in_bytes", "Term vectors memory usage in bytes", "indices.segments.term_vectors_memory_in_bytes"),
        G("elasticsearch_indices_segments_points_memory_in_bytes", "Point values memory usage in bytes", "indices.segments.points_memory_in_bytes"),
        G("elasticsearch_indices_segments_version_map_memory_in_bytes", "Version map memory usage in bytes", "indices.segments.version_map_memory_in_bytes"),
        C("elasticsearch_indices_flush_total", "Total flushes", "indices.flush.total"),
        C("elasticsearch_indices_flush_time_seconds", "Cumulative flush time in seconds", "indices.flush.total_time_in_millis", Ms),
        C("elasticsearch_indices_warmer_total", "Total warmer count", "indices.warmer.total"),
        C("elasticsearch_indices_warmer_time_seconds_total", "Total warmer time in seconds", "indices.warmer.total_time_in_millis", Ms),
        C("elasticsearch_indices_indexing_index_time_seconds_total", "Cumulative index time in seconds", "indices.indexing.index_time_in_millis", Ms),
        C("elasticsearch_indices_indexing_index_total", "Total index calls", "indices.indexing.index_total"),
        C("elasticsearch_indices_indexing_delete_time_seconds_total", "Total time indexing delete in seconds", "indices.indexing.delete_time_in_millis", Ms),
        C("elasticsearch_indices_indexing_delete_total", "Total indexing deletes", "indices.indexing.delete_total"),
        G("elasticsearch_indices_indexing_is_throttled", "Indexing throttling (1 when throttled)", "indices.indexing.is_throttled"),
        C("elasticsearch_indices_indexing_throttle_time_seconds_total", "Cumulative indexing throttling time in seconds", "indices.indexing.throttle_time_in_millis", Ms),
        C("elasticsearch_indices_merges_total", "Total merges", "indices.merges.total"),
        G("elasticsearch_indices_merges_current", "Current merges", "indices.merges.current"),
        G("elasticsearch_indices_merges_current_size_in_bytes", "Size of a current merges in bytes", "indices.merges.current_size_in_bytes"),
        C("elasticsearch_indices_merges_docs_total", "Cumulative docs merged", "indices.merges.total_docs"),
        C("elasticsearch_indices_merges_total_size_bytes_total", "Total merge size in bytes", "indices.merges.total_size_in_bytes"),
        C("elasticsearch_indices_merges_total_time_seconds_total", "Total time spent merging in seconds", "indices.merges.total_time_in_millis", Ms),
        C("elasticsearch_indices_merges_total_throttled_time_seconds_total", "Total throttled time of merges in seconds", "indices.merges.total_throttled_time_in_millis", Ms),
        G("elasticsearch_process_cpu_percent", "Percent CPU used by process", "process.cpu.percent"),
        G("elasticsearch_process_mem_resident_size_bytes", "Resident memory in use by process in bytes", "process.mem.resident_in_bytes"),
        G("elasticsearch_process_mem_share_size_bytes", "Shared memory in use by process in bytes", "process.mem.share_in_bytes"),
        G("elasticsearch_process_mem_virtual_size_bytes", "Total virtual memory used in bytes", "process.mem.total_virtual_in_bytes"),
        G("elasticsearch_process_open_files_count", "Open file descriptors", "process.open_file_descriptors"),
        G("elasticsearch_process_max_files_descriptors", "Max file descriptors", "process.max_file_descriptors"),
        C("elasticsearch_process_cpu_seconds_total", "Process CPU time in seconds", "process.cpu.total_in_millis", Ms),
        C("elasticsearch_transport_rx_packets_total", "Count of packets received", "transport.rx_count"),
        C("elasticsearch_transport_rx_size_bytes_total", "Total number of bytes received", "transport.rx_size_in_bytes"),
        C("elasticsearch_transport_tx_packets_total", "Count of packets sent", "transport.tx_count"),
        C("elasticsearch_transport_tx_size_bytes_total", "Total number of bytes sent", "transport.tx_size_in_bytes"),
    ];

    private static readonly string[] CacheLabels = [.. NodeLabels, "cache"];
    private static readonly CounterDefinition QueryCacheHits = new("elasticsearch_indices_query_cache_count", "Query cache count", CacheLabels);
    private static readonly CounterDefinition QueryCacheMisses = new("elasticsearch_indices_query_miss_count", "Query miss count", CacheLabels);
    private static readonly CounterDefinition RequestCacheHits = new("elasticsearch_indices_request_cache_count", "Request cache count", CacheLabels);
    private static readonly CounterDefinition RequestCacheMisses = new("elasticsearch_indices_request_miss_count", "Request miss count", CacheLabels);

    private static readonly string[] AreaLabels = [.. NodeLabels, "area"];
    private static readonly GaugeDefinition JvmMemoryUsed = new("elasticsearch_jvm_memory_used_bytes", "JVM memory currently used by area", AreaLabels);
    private static readonly GaugeDefinition JvmMemoryMax = new("elasticsearch_jvm_memory_max_bytes", "JVM memory max", AreaLabels);
    private static readonly GaugeDefinition JvmMemoryCommitted = new("elasticsearch_jvm_memory_committed_bytes", "JVM memory currently committed by area", AreaLabels);

    private static readonly string[] PoolLabels = [.. NodeLabels, "pool"];
    private static readonly GaugeDefinition JvmPoolUsed = new("elasticsearch_jvm_memory_pool_used_bytes", "JVM memory currently used by pool", PoolLabels);
    private static readonly CounterDefinition JvmPoolMax = new("elasticsearch_jvm_memory_pool_max_bytes", "JVM memory max by pool", PoolLabels);
    private static readonly CounterDefinition JvmPoolPeakUsed = new("elasticsearch_jvm_memory_pool_peak_used_bytes", "JVM memory peak used by pool", PoolLabels);
    private static readonly CounterDefinition JvmPoolPeakMax = new("elasticsearch_jvm_memory_pool_peak_max_bytes", "JVM memory peak max by pool", PoolLabels);

    private static readonly string[] TypeLabels = [.. NodeLabels, "type"];
    private static readonly GaugeDefinition JvmBufferPoolUsed = new("elasticsearch_jvm_buffer_pool_used_bytes", "JVM buffer currently used", TypeLabels);
    private static readonly GaugeDefinition JvmUptime = new("elasticsearch_jvm_uptime_seconds", "JVM process uptime in seconds", TypeLabels);

    private static readonly string[] GcLabels = [.. NodeLabels, "gc"];
    private static readonly CounterDefinition GcCount = new("elasticsearch_jvm_gc_collection_seconds_count", "Count of JVM GC runs", GcLabels);
    private static readonly CounterDefinition GcSum = new("elasticsearch_jvm_gc_collection_seconds_sum", "GC run time in seconds", GcLabels);

    private static readonly string[] BreakerLabels = [.. NodeLabels, "breaker"];
    private static readonly GaugeDefinition BreakerEstimated = new("elasticsearch_breakers_estimated_size_bytes", "Estimated size in bytes of breaker", BreakerLabels);
    private static readonly GaugeDefinition BreakerLimit = new("elasticsearch_breakers_limit_size_bytes", "Limit size in bytes for breaker", BreakerLabels);
    private static readonly CounterDefinition BreakerTripped = new("elasticsearch_breakers_tripped", "tripped for breaker", BreakerLabels);
    private static readonly CounterDefinition BreakerOverhead = new("elasticsearch_breakers_overhead", "Overhead of circuit breakers", BreakerLabels);

    private static readonly string[] PressureLabels = ["cluster", "host", "name", "indexing_pressure"];
    private static readonly GaugeDefinition PressureCurrent = new("elasticsearch_indexing_pressure_current_all_in_bytes", "Memory consumed, in bytes, by indexing requests in the coordinating, primary, or replica stage", PressureLabels);
    private static readonly GaugeDefinition PressureLimit = new("elasticsearch_indexing_pressure_limit_in_bytes", "Configured memory limit, in bytes, for the indexing requests", PressureLabels);

    private static readonly CounterDefinition ThreadPoolCompleted = new("elasticsearch_thread_pool_completed_count", "Thread Pool operations completed", TypeLabels);
    private static readonly CounterDefinition ThreadPoolRejected = new("elasticsearch_thread_pool_rejected_count", "Thread Pool operations rejected", TypeLabels);
    private static readonly GaugeDefinition ThreadPoolActive = new("elasticsearch_thread_pool_active_count", "Thread Pool threads active", TypeLabels);
    private static readonly GaugeDefinition ThreadPoolLargest = new("elasticsearch_thread_pool_largest_count", "Thread Pool largest threads count", TypeLabels);
    private static readonly GaugeDefinition ThreadPoolQueue = new("elasticsearch_thread_pool_queue_count", "Thread Pool operations queued", TypeLabels);
    private static readonly GaugeDefinition ThreadPoolThreads = new("elasticsearch_thread_pool_threads_count", "Thread Pool current threads count", TypeLabels);

    private static readonly string[] FsLabels = [.. NodeLabels, "mount", "path"];
    private static readonly GaugeDefinition FsAvailable = new("elasticsearch_filesystem_data_available_bytes", "Available space on block device in bytes", FsLabels);
    private static readonly GaugeDefinition FsFree = new("elasticsearch_filesystem_data_free_bytes", "Free space on block device in bytes", FsLabels);
    private static readonly GaugeDefinition FsSize = new("elasticsearch_filesystem_data_size_bytes", "Size of block device in bytes", FsLabels);

    private static readonly string[] DeviceLabels = [.. NodeLabels, "device"];
    private static readonly CounterDefinition IoOperations = new("elasticsearch_filesystem_io_stats_device_operations_count", "Count of disk operations", DeviceLabels);
    private static readonly CounterDefinition IoReadOperations = new("elasticsearch_filesystem_io_stats_device_read_operations_count", "Count of disk read operations", DeviceLabels);
    private static readonly CounterDefinition IoWriteOperations = new("elasticsearch_filesystem_io_stats_device_write_operations_count", "Count of disk write operations", DeviceLabels);
    private static readonly CounterDefinition IoReadKilobytes = new("elasticsearch_filesystem_io_stats_device_read_size_kilobytes_sum", "Total kilobytes read from disk", DeviceLabels);
    private static readonly CounterDefinition IoWriteKilobytes = new("elasticsearch_filesystem_io_stats_device_write_size_kilobytes_sum", "Total kilobytes written to disk", DeviceLabels);

    private static readonly GaugeDefinition NodesRoles = new("elasticsearch_nodes_roles", "Node roles (1 when the node has the role)", ["cluster", "host", "name", "node", "role"]);

    /// <summary>Every family this sub-collector can write, for documentation and tests.</summary>
    internal static IEnumerable<MetricDefinition> Families =>
    [
        .. Simple.Select(s => s.Definition),
        QueryCacheHits, QueryCacheMisses, RequestCacheHits, RequestCacheMisses,
        JvmMemoryUsed, JvmMemoryMax, JvmMemoryCommitted, JvmPoolUsed, JvmPoolMax, JvmPoolPeakUsed, JvmPoolPeakMax,
        JvmBufferPoolUsed, JvmUptime, GcCount, GcSum,
        BreakerEstimated, BreakerLimit, BreakerTripped, BreakerOverhead, PressureCurrent, PressureLimit,
        ThreadPoolCompleted, ThreadPoolRejected, ThreadPoolActive, ThreadPoolLargest, ThreadPoolQueue, ThreadPoolThreads,
        FsAvailable, FsFree, FsSize, IoOperations, IoReadOperations, IoWriteOperations, IoReadKilobytes, IoWriteKilobytes,
        NodesRoles,
    ];

    /// <summary>The request path, asking only for the sections the families use.</summary>
    internal static string RequestPath(ElasticsearchOptions options)
    {
        var node = options.AllNodes ? string.Empty : Uri.EscapeDataString(options.Node) + "/";
        return $"/_nodes/{node}stats?filter_path=cluster_name,nodes.*.name,nodes.*.host,nodes.*.roles,nodes.*.attributes,"
            + "nodes.*.indices,nodes.*.os,nodes.*.process,nodes.*.jvm,nodes.*.thread_pool,nodes.*.fs,nodes.*.transport,nodes.*.breakers,nodes.*.indexing_pressure,nodes.*.http.current_open"
            + $"&timeout={Math.Max(1, (int)Math.Ceiling(EffectiveTimeoutSeconds(options)))}s";
    }

    public static Task CollectAsync(SubScrape scrape) =>
        scrape.Http.GetAsync(
            RequestPath(scrape.Options),
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, "nodes", (id, node) => WriteNode(scrape, id ?? string.Empty, node), null, scrape.MaxEntryBytes, token);
                return true;
            },
            scrape.Token);

    private static double EffectiveTimeoutSeconds(ElasticsearchOptions options) =>
        options.RequestTimeout.IsZero ? options.Timeout.Value.TotalSeconds : Math.Min(options.RequestTimeout.Value.TotalSeconds, options.Timeout.Value.TotalSeconds);

    private static void WriteNode(SubScrape s, string nodeId, JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            s.Shapes.Report(s.Label, "node entry", "nodes." + nodeId);
            return;
        }

        var host = JsonPath.String(node, "host") ?? string.Empty;
        var name = JsonPath.String(node, "name") ?? string.Empty;
        var roles = Roles(node);
        string[] labels = [s.Cluster, host, name, Bool(roles, "master"), DataRoles.Any(r => roles.GetValueOrDefault(r)) ? "true" : "false", Bool(roles, "ingest"), Bool(roles, "client")];

        foreach (var (definition, path, scale) in Simple)
        {
            if (definition is GaugeDefinition gauge)
            {
                s.Gauge(gauge, node, path, scale, labels);
            }
            else
            {
                s.Counter((CounterDefinition)definition, node, path, scale, labels);
            }
        }

        s.Counter(QueryCacheHits, node, "indices.query_cache.hit_count", 1, [.. labels, "hit"]);
        s.Counter(QueryCacheMisses, node, "indices.query_cache.miss_count", 1, [.. labels, "miss"]);
        s.Counter(RequestCacheHits, node, "indices.request_cache.hit_count", 1, [.. labels, "hit"]);
        s.Counter(RequestCacheMisses, node, "indices.request_cache.miss_count", 1, [.. labels, "miss"]);

        s.Gauge(JvmMemoryUsed, node, "jvm.mem.heap_used_in_bytes", 1, [.. labels, "heap"]);
        s.Gauge(JvmMemoryUsed, node, "jvm.mem.non_heap_used_in_bytes", 1, [.. labels, "non-heap"]);
        s.Gauge(JvmMemoryMax, node, "jvm.mem.heap_max_in_bytes", 1, [.. labels, "heap"]);
        s.Gauge(JvmMemoryCommitted, node, "jvm.mem.heap_committed_in_bytes", 1, [.. labels, "heap"]);
        s.Gauge(JvmMemoryCommitted, node, "jvm.mem.non_heap_committed_in_bytes", 1, [.. labels, "non-heap"]);
        foreach (var pool in (ReadOnlySpan<string>)["young", "survivor", "old"])
        {
            if (JsonPath.TryGet(node, "jvm.mem.pools." + pool, out var p))
            {
                string[] poolLabels = [.. labels, pool];
                s.Gauge(JvmPoolUsed, p, "used_in_bytes", 1, poolLabels);
                s.Counter(JvmPoolMax, p, "max_in_bytes", 1, poolLabels);
                s.Counter(JvmPoolPeakUsed, p, "peak_used_in_bytes", 1, poolLabels);
                s.Counter(JvmPoolPeakMax, p, "peak_max_in_bytes", 1, poolLabels);
            }
        }

        s.Gauge(JvmBufferPoolUsed, node, "jvm.buffer_pools.direct.used_in_bytes", 1, [.. labels, "direct"]);
        s.Gauge(JvmBufferPoolUsed, node, "jvm.buffer_pools.mapped.used_in_bytes", 1, [.. labels, "mapped"]);

        // elasticsearch_exporter labels uptime with type="mapped"; kept so existing queries match.
        s.Gauge(JvmUptime, node, "jvm.uptime_in_millis", Ms, [.. labels, "mapped"]);

        ForEachMember(node, "jvm.gc.collectors", (gc, c) =>
        {
            string[] l = [.. labels, gc];
            s.Counter(GcCount, c, "collection_count", 1, l);
            s.Counter(GcSum, c, "collection_time_in_millis", Ms, l);
        });

        ForEachMember(node, "breakers", (breaker, b) =>
        {
            string[] l = [.. labels, breaker];
            s.Gauge(BreakerEstimated, b, "estimated_size_in_bytes", 1, l);
            s.Gauge(BreakerLimit, b, "limit_size_in_bytes", 1, l);
            s.Counter(BreakerTripped, b, "tripped", 1, l);
            s.Counter(BreakerOverhead, b, "overhead", 1, l);
        });

        if (JsonPath.TryGet(node, "indexing_pressure.memory", out var pressure))
        {
            string[] l = [s.Cluster, host, name, "memory"];
            s.Gauge(PressureCurrent, pressure, "current.all_in_bytes", 1, l);
            s.Gauge(PressureLimit, pressure, "limit_in_bytes", 1, l);
        }

        ForEachMember(node, "thread_pool", (pool, t) =>
        {
            string[] l = [.. labels, pool];
            s.Counter(ThreadPoolCompleted, t, "completed", 1, l);
            s.Counter(ThreadPoolRejected, t, "rejected", 1, l);
            s.Gauge(ThreadPoolActive, t, "active", 1, l);
            s.Gauge(ThreadPoolLargest, t, "largest", 1, l);
            s.Gauge(ThreadPoolQueue, t, "queue", 1, l);
            s.Gauge(ThreadPoolThreads, t, "threads", 1, l);
        });

        if (JsonPath.TryGet(node, "fs.data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var fs in data.EnumerateArray())
            {
                string[] l = [.. labels, JsonPath.String(fs, "mount") ?? string.Empty, JsonPath.String(fs, "path") ?? string.Empty];
                s.Gauge(FsAvailable, fs, "available_in_bytes", 1, l);
                s.Gauge(FsFree, fs, "free_in_bytes", 1, l);
                s.Gauge(FsSize, fs, "total_in_bytes", 1, l);
            }
        }

        if (JsonPath.TryGet(node, "fs.io_stats.devices", out var devices) && devices.ValueKind == JsonValueKind.Array)
        {
            foreach (var device in devices.EnumerateArray())
            {
                string[] l = [.. labels, JsonPath.String(device, "device_name") ?? string.Empty];
                s.Counter(IoOperations, device, "operations", 1, l);
                s.Counter(IoReadOperations, device, "read_operations", 1, l);
                s.Counter(IoWriteOperations, device, "write_operations", 1, l);
                s.Counter(IoReadKilobytes, device, "read_kilobytes", 1, l);
                s.Counter(IoWriteKilobytes, device, "write_kilobytes", 1, l);
            }
        }

        foreach (var role in roles)
        {
            s.Writer.Write(NodesRoles, role.Value ? 1 : 0, s.Cluster, host, name, nodeId, role.Key);
        }
    }

    /// <summary>
    /// elasticsearch_exporter's role map: its known roles, false unless listed; client true unless the node serves no
    /// HTTP; every other role the node lists added as true (elasticsearch_exporter adds those as false, which says
    /// the opposite of what the node reports). Nodes older than 5.x (no <c>roles</c>) read the <c>attributes</c> flags.
    /// </summary>
    private static SortedDictionary<string, bool> Roles(JsonElement node)
    {
        var roles = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var role in ReportedRoles)
        {
            roles[role] = false;
        }

        roles["client"] = true;
        if (JsonPath.TryGet(node, "roles", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
        {
            foreach (var role in list.EnumerateArray())
            {
                if (role.ValueKind == JsonValueKind.String && role.GetString() is { Length: > 0 } r)
                {
                    roles[r] = true;

                    // OpenSearch 2 renamed the master role; dashboards filter on es_master_node either way.
                    if (r == "cluster_manager")
                    {
                        roles["master"] = true;
                    }
                }
            }
        }
        else
        {
            foreach (var known in KnownRoles)
            {
                if (JsonPath.String(node, "attributes." + known) is { } flag)
                {
                    roles[known] = string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
                }
                else if (known != "client")
                {
                    roles[known] = true;
                }
            }
        }

        if (!JsonPath.TryGet(node, "http", out var http) || http.ValueKind != JsonValueKind.Object)
        {
            roles["client"] = false;
        }

        return roles;
    }

    private static string Bool(SortedDictionary<string, bool> roles, string role) => roles.TryGetValue(role, out var v) && v ? "true" : "false";

    private static void ForEachMember(JsonElement node, string path, Action<string, JsonElement> action)
    {
        if (JsonPath.TryGet(node, path, out var obj) && obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in obj.EnumerateObject())
            {
                if (member.Value.ValueKind == JsonValueKind.Object)
                {
                    action(member.Name, member.Value);
                }
            }
        }
    }

    private static (MetricDefinition, string, double) G(string name, string help, string path, double scale = 1) => (new GaugeDefinition(name, help, NodeLabels), path, scale);

    private static (MetricDefinition, string, double) C(string name, string help, string path, double scale = 1) => (new CounterDefinition(name, help, NodeLabels), path, scale);
}
