using System.Text.Json;
using Exporters.Abstractions.Metrics;

namespace Exporters.Elasticsearch;

/// <summary>Aliases, shards per node, index settings and mappings, snapshots, SLM, ILM, data streams, the health report and tasks.</summary>
internal static class ManagementCollectors
{
    private static readonly string[] Modes = ["RUNNING", "STOPPING", "STOPPED"];
    private static readonly string[] Colors = ["green", "yellow", "red", "unknown"];

    private static readonly GaugeDefinition Aliases = new("elasticsearch_indices_aliases", "Record aliases associated with an index (constant 1)", ["cluster", "index", "alias"]);
    private static readonly GaugeDefinition NodeShards = new("elasticsearch_node_shards_total", "Total shards per node", ["cluster", "node"]);

    private static readonly GaugeDefinition ReadOnlyIndices = new("elasticsearch_indices_settings_stats_read_only_indices", "Count of indices with index.blocks.read_only_allow_delete set", ["cluster"]);
    private static readonly GaugeDefinition TotalFields = new("elasticsearch_indices_settings_total_fields", "Index setting index.mapping.total_fields.limit (1000 when unset)", ["cluster", "index"]);
    private static readonly GaugeDefinition Replicas = new("elasticsearch_indices_settings_replicas", "Index setting number_of_replicas", ["cluster", "index"]);
    private static readonly GaugeDefinition Shards = new("elasticsearch_indices_settings_shards", "Index setting number_of_shards", ["cluster", "index"]);
    private static readonly GaugeDefinition CreationTime = new("elasticsearch_indices_settings_creation_timestamp_seconds", "Index setting creation_date as seconds since the epoch", ["cluster", "index"]);
    private static readonly GaugeDefinition MappedFields = new("elasticsearch_indices_mappings_stats_fields", "Current number of fields within cluster", ["cluster", "index"]);

    private static readonly string[] RepoLabels = ["cluster", "repository"];
    private static readonly string[] SnapLabels = ["cluster", "repository", "state", "version"];
    private static readonly GaugeDefinition SnapCount = new("elasticsearch_snapshot_stats_number_of_snapshots", "Number of snapshots in a repository", RepoLabels);
    private static readonly GaugeDefinition SnapOldest = new("elasticsearch_snapshot_stats_oldest_snapshot_timestamp", "Timestamp of the oldest snapshot", RepoLabels);
    private static readonly GaugeDefinition SnapLatest = new("elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds", "Timestamp of the latest SUCCESS or PARTIAL snapshot", RepoLabels);
    private static readonly GaugeDefinition SnapIndices = new("elasticsearch_snapshot_stats_snapshot_number_of_indices", "Number of indices in the last snapshot", SnapLabels);
    private static readonly GaugeDefinition SnapStart = new("elasticsearch_snapshot_stats_snapshot_start_time_timestamp", "Last snapshot start timestamp", SnapLabels);
    private static readonly GaugeDefinition SnapEnd = new("elasticsearch_snapshot_stats_snapshot_end_time_timestamp", "Last snapshot end timestamp", SnapLabels);
    private static readonly GaugeDefinition SnapFailures = new("elasticsearch_snapshot_stats_snapshot_number_of_failures", "Last snapshot number of failures", SnapLabels);
    private static readonly GaugeDefinition SnapTotalShards = new("elasticsearch_snapshot_stats_snapshot_total_shards", "Last snapshot total shards", SnapLabels);
    private static readonly GaugeDefinition SnapFailedShards = new("elasticsearch_snapshot_stats_snapshot_failed_shards", "Last snapshot failed shards", SnapLabels);
    private static readonly GaugeDefinition SnapSuccessfulShards = new("elasticsearch_snapshot_stats_snapshot_successful_shards", "Last snapshot successful shards", SnapLabels);

    private static readonly string[] ClusterOnly = ["cluster"];
    private static readonly string[] PolicyLabels = ["cluster", "policy"];
    private static readonly (MetricDefinition Definition, string Field, double Scale)[] SlmTotals =
    [
        (new CounterDefinition("elasticsearch_slm_stats_retention_runs_total", "Total retention runs", ClusterOnly), "retention_runs", 1),
        (new CounterDefinition("elasticsearch_slm_stats_retention_failed_total", "Total failed retention runs", ClusterOnly), "retention_failed", 1),
        (new CounterDefinition("elasticsearch_slm_stats_retention_timed_out_total", "Total timed out retention runs", ClusterOnly), "retention_timed_out", 1),
        (new GaugeDefinition("elasticsearch_slm_stats_retention_deletion_time_seconds", "Retention run deletion time", ClusterOnly), "retention_deletion_time_millis", 0.001),
        (new CounterDefinition("elasticsearch_slm_stats_total_snapshots_taken_total", "Total snapshots taken", ClusterOnly), "total_snapshots_taken", 1),
        (new CounterDefinition("elasticsearch_slm_stats_total_snapshots_failed_total", "Total snapshots failed", ClusterOnly), "total_snapshots_failed", 1),
        (new CounterDefinition("elasticsearch_slm_stats_total_snapshots_deleted_total", "Total snapshots deleted", ClusterOnly), "total_snapshots_deleted", 1),
        (new CounterDefinition("elasticsearch_slm_stats_total_snapshot_deletion_failures_total", "Total snapshot deletion failures", ClusterOnly), "total_snapshot_deletion_failures", 1),
    ];

    private static readonly (CounterDefinition Definition, string Field)[] SlmPolicy =
    [
        (new("elasticsearch_slm_stats_snapshots_taken_total", "Total snapshots taken", PolicyLabels), "snapshots_taken"),
        (new("elasticsearch_slm_stats_snapshots_failed_total", "Total snapshots failed", PolicyLabels), "snapshots_failed"),
        (new("elasticsearch_slm_stats_snapshots_deleted_total", "Total snapshots deleted", PolicyLabels), "snapshots_deleted"),
        (new("elasticsearch_slm_stats_snapshot_deletion_failures_total", "Total snapshot deletion failures", PolicyLabels), "snapshot_deletion_failures"),
    ];

    private static readonly GaugeDefinition SlmMode = new("elasticsearch_slm_stats_operation_mode", "Operating status of SLM (1 for the current mode)", ["cluster", "operation_mode"]);
    private static readonly GaugeDefinition IlmIndex = new("elasticsearch_ilm_index_status", "Whether the index is managed by ILM (1) or not (0), with its current phase, action and step", ["cluster", "index", "phase", "action", "step"]);
    private static readonly GaugeDefinition IlmMode = new("elasticsearch_ilm_status", "Operating status of ILM (1 for the current mode)", ["cluster", "operation_mode"]);

    private static readonly CounterDefinition DataStreamBacking = new("elasticsearch_data_stream_backing_indices_total", "Number of backing indices", ["cluster", "data_stream"]);
    private static readonly CounterDefinition DataStreamStore = new("elasticsearch_data_stream_store_size_bytes", "Store size of data stream", ["cluster", "data_stream"]);

    private static readonly GaugeDefinition ReportStatus = new("elasticsearch_health_report_status", "Overall cluster health report status (1 for the current colour)", ["cluster", "color"]);
    private static readonly string[] Indicators = ["master_is_stable", "shards_availability", "disk", "repository_integrity", "ilm", "slm", "shards_capacity", "data_stream_lifecycle"];
    private static readonly GaugeDefinition[] IndicatorStatus = [.. Indicators.Select(i => new GaugeDefinition($"elasticsearch_health_report_{i}_status", $"Health report indicator {i} (1 for the current colour)", ["cluster", "color"]))];

    /// <summary>elasticsearch_exporter's name for the shards_availability indicator, misspelt there and kept so its queries work; the correct spelling is written too.</summary>
    private static readonly GaugeDefinition ShardsAvailabiltyStatus = new("elasticsearch_health_report_shards_availabilty_status", "Health report indicator shards_availability (1 for the current colour), under elasticsearch_exporter's spelling", ["cluster", "color"]);

    private static readonly GaugeDefinition TaskActions = new("elasticsearch_task_stats_action", "Running tasks per action, of the actions task_actions selects", ["cluster", "action"]);

    private static readonly (GaugeDefinition Definition, string Path)[] ReportDetails =
    [
        .. new[] { "creating_primaries", "creating_replicas", "initializing_primaries", "initializing_replicas", "restarting_primaries", "restarting_replicas", "started_primaries", "started_replicas", "unassigned_primaries", "unassigned_replicas" }
            .Select(f => (new GaugeDefinition("elasticsearch_health_report_" + f, "Health report shards_availability " + f, ClusterOnly), "shards_availability.details." + f)),
        .. new[] { "indices_with_readonly_block", "nodes_with_enough_disk_space", "nodes_with_unknown_disk_status", "nodes_over_high_watermark", "nodes_over_flood_stage_watermark" }
            .Select(f => (new GaugeDefinition("elasticsearch_health_report_" + f, "Health report disk " + f, ClusterOnly), "disk.details." + f)),
        (new GaugeDefinition("elasticsearch_health_report_total_repositories", "Health report repository_integrity total_repositories", ClusterOnly), "repository_integrity.details.total_repositories"),
        (new GaugeDefinition("elasticsearch_health_report_ilm_policies", "Health report ILM policies", ClusterOnly), "ilm.details.policies"),
        (new GaugeDefinition("elasticsearch_health_report_ilm_stagnating_indices", "Health report ILM indices stuck in a step", ClusterOnly), "ilm.details.stagnating_indices"),
        (new GaugeDefinition("elasticsearch_health_report_slm_policies", "Health report SLM policies", ClusterOnly), "slm.details.policies"),
        (new GaugeDefinition("elasticsearch_health_report_max_shards_in_cluster_data", "Health report maximum shards in cluster for data nodes", ClusterOnly), "shards_capacity.details.data.max_shards_in_cluster"),
        (new GaugeDefinition("elasticsearch_health_report_max_shards_in_cluster_frozen", "Health report maximum shards in cluster for frozen nodes", ClusterOnly), "shards_capacity.details.frozen.max_shards_in_cluster"),
    ];

    internal static IEnumerable<MetricDefinition> AliasFamilies => [Aliases];

    internal static IEnumerable<MetricDefinition> CatShardFamilies => [NodeShards];

    internal static IEnumerable<MetricDefinition> SettingsFamilies => [ReadOnlyIndices, TotalFields, Replicas, Shards, CreationTime];

    internal static IEnumerable<MetricDefinition> MappingFamilies => [MappedFields];

    internal static IEnumerable<MetricDefinition> SnapshotFamilies => [SnapCount, SnapOldest, SnapLatest, SnapIndices, SnapStart, SnapEnd, SnapFailures, SnapTotalShards, SnapFailedShards, SnapSuccessfulShards];

    internal static IEnumerable<MetricDefinition> SlmFamilies => [.. SlmTotals.Select(t => t.Definition), .. SlmPolicy.Select(p => p.Definition), SlmMode];

    internal static IEnumerable<MetricDefinition> IlmFamilies => [IlmIndex, IlmMode];

    internal static IEnumerable<MetricDefinition> DataStreamFamilies => [DataStreamBacking, DataStreamStore];

    internal static IEnumerable<MetricDefinition> HealthReportFamilies => [ReportStatus, .. IndicatorStatus, ShardsAvailabiltyStatus, .. ReportDetails.Select(d => d.Definition)];

    internal static IEnumerable<MetricDefinition> TaskFamilies => [TaskActions];

    public static Task AliasesAsync(SubScrape s)
    {
        var filter = new IndexFilter(s.Options.IndexFilter);
        return s.Http.GetAsync(
            "/_alias",
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, null, (_, _) => { }, (index, entry) =>
                {
                    if (index is null || !filter.Matches(index) || !JsonPath.TryGet(entry, "aliases", out var aliases) || aliases.ValueKind != JsonValueKind.Object)
                    {
                        return;
                    }

                    foreach (var alias in aliases.EnumerateObject())
                    {
                        s.Writer.Write(Aliases, 1, s.Cluster, index, alias.Name);
                    }
                }, s.MaxEntryBytes, token);
                return true;
            },
            s.Token);
    }

    public static Task CatShardsAsync(SubScrape s)
    {
        var perNode = new SortedDictionary<string, int>(StringComparer.Ordinal);
        return s.Http.GetAsync(
            "/_cat/shards?format=json&h=index,shard,prirep,state,node",
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, null, (_, row) =>
                {
                    var node = JsonPath.String(row, "node") ?? string.Empty;
                    perNode[node] = perNode.GetValueOrDefault(node) + 1;
                }, null, s.MaxEntryBytes, token);
                foreach (var (node, count) in perNode)
                {
                    s.Writer.Write(NodeShards, count, s.Cluster, node);
                }

                return true;
            },
            s.Token);
    }

    public static Task IndicesSettingsAsync(SubScrape s)
    {
        var filter = new IndexFilter(s.Options.IndexFilter);
        var readOnly = 0;
        return s.Http.GetAsync(
            "/_all/_settings",
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, null, (_, _) => { }, (index, entry) =>
                {
                    if (index is null || !JsonPath.TryGet(entry, "settings.index", out var settings))
                    {
                        return;
                    }

                    if (string.Equals(JsonPath.String(settings, "blocks.read_only_allow_delete"), "true", StringComparison.OrdinalIgnoreCase))
                    {
                        readOnly++;
                    }

                    if (!filter.Matches(index))
                    {
                        return;
                    }

                    var limit = JsonPath.TryNumber(settings, "mapping.total_fields.limit", out var l) == Lookup.Found ? l : 1000;
                    s.Writer.Write(TotalFields, limit, s.Cluster, index);
                    s.Gauge(Replicas, settings, "number_of_replicas", 1, s.Cluster, index);
                    s.Gauge(Shards, settings, "number_of_shards", 1, s.Cluster, index);
                    s.Gauge(CreationTime, settings, "creation_date", 0.001, s.Cluster, index);
                }, s.MaxEntryBytes, token);
                s.Writer.Write(ReadOnlyIndices, readOnly, s.Cluster);
                return true;
            },
            s.Token);
    }

    public static Task IndicesMappingsAsync(SubScrape s)
    {
        var filter = new IndexFilter(s.Options.IndexFilter);
        return s.Http.GetAsync(
            "/_all/_mappings",
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, null, (_, _) => { }, (index, entry) =>
                {
                    if (index is null || !filter.Matches(index) || !JsonPath.TryGet(entry, "mappings", out var mappings) || mappings.ValueKind != JsonValueKind.Object)
                    {
                        return;
                    }

                    // 6.x and older wrap properties in a mapping type; 7.x+ has them at the top.
                    var count = 0;
                    if (mappings.TryGetProperty("properties", out var properties))
                    {
                        count = CountFields(properties);
                    }
                    else
                    {
                        foreach (var type in mappings.EnumerateObject())
                        {
                            if (type.Value.ValueKind == JsonValueKind.Object && type.Value.TryGetProperty("properties", out var typed))
                            {
                                count += CountFields(typed);
                            }
                        }
                    }

                    s.Writer.Write(MappedFields, count, s.Cluster, index);
                }, s.MaxEntryBytes, token);
                return true;
            },
            s.Token);
    }

    /// <summary>Fields with a type, their multi-fields, and the fields of object fields, recursively.</summary>
    internal static int CountFields(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        var count = 0;
        foreach (var field in properties.EnumerateObject())
        {
            if (field.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (field.Value.TryGetProperty("type", out _))
            {
                count++;
            }

            if (field.Value.TryGetProperty("fields", out var multi))
            {
                count += CountFields(multi);
            }

            if (field.Value.TryGetProperty("properties", out var nested))
            {
                count += CountFields(nested);
            }
        }

        return count;
    }

    public static async Task SnapshotsAsync(SubScrape s)
    {
        List<string> repositories;
        using (var repos = await s.Http.GetDocumentAsync("/_snapshot", s.Token))
        {
            repositories = repos.RootElement.ValueKind == JsonValueKind.Object ? [.. repos.RootElement.EnumerateObject().Select(r => r.Name)] : [];
        }

        foreach (var repository in repositories)
        {
            using var doc = await s.Http.GetDocumentAsync($"/_snapshot/{Uri.EscapeDataString(repository)}/_all", s.Token);
            if (!JsonPath.TryGet(doc.RootElement, "snapshots", out var snapshots) || snapshots.ValueKind != JsonValueKind.Array)
            {
                s.Shapes.Report(s.Label, SnapCount.Name, "snapshots");
                continue;
            }

            var count = snapshots.GetArrayLength();
            s.Writer.Write(SnapCount, count, s.Cluster, repository);
            if (count == 0)
            {
                continue;
            }

            var oldest = double.MaxValue;
            var latest = double.MinValue;
            JsonElement last = default;
            foreach (var snapshot in snapshots.EnumerateArray())
            {
                if (JsonPath.TryNumber(snapshot, "start_time_in_millis", out var start) != Lookup.Found)
                {
                    continue;
                }

                oldest = Math.Min(oldest, start);
                var state = JsonPath.String(snapshot, "state");
                if (state is "SUCCESS" or "PARTIAL")
                {
                    latest = Math.Max(latest, start);
                }

                last = snapshot;
            }

            if (oldest != double.MaxValue)
            {
                s.Writer.Write(SnapOldest, Math.Floor(oldest / 1000), s.Cluster, repository);
            }

            if (latest != double.MinValue)
            {
                s.Writer.Write(SnapLatest, Math.Floor(latest / 1000), s.Cluster, repository);
            }

            if (last.ValueKind == JsonValueKind.Object)
            {
                string[] l = [s.Cluster, repository, JsonPath.String(last, "state") ?? string.Empty, JsonPath.String(last, "version") ?? string.Empty];
                if (JsonPath.TryGet(last, "indices", out var indices) && indices.ValueKind == JsonValueKind.Array)
                {
                    s.Writer.Write(SnapIndices, indices.GetArrayLength(), l);
                }

                if (JsonPath.TryNumber(last, "start_time_in_millis", out var st) == Lookup.Found)
                {
                    s.Writer.Write(SnapStart, Math.Floor(st / 1000), l);
                }

                if (JsonPath.TryNumber(last, "end_time_in_millis", out var et) == Lookup.Found)
                {
                    s.Writer.Write(SnapEnd, Math.Floor(et / 1000), l);
                }

                if (JsonPath.TryGet(last, "failures", out var failures) && failures.ValueKind == JsonValueKind.Array)
                {
                    s.Writer.Write(SnapFailures, failures.GetArrayLength(), l);
                }

                s.Gauge(SnapTotalShards, last, "shards.total", 1, l);
                s.Gauge(SnapFailedShards, last, "shards.failed", 1, l);
                s.Gauge(SnapSuccessfulShards, last, "shards.successful", 1, l);
            }
        }
    }

    public static async Task SlmAsync(SubScrape s)
    {
        using (var stats = await s.Http.GetDocumentAsync("/_slm/stats", s.Token))
        {
            var root = stats.RootElement;
            foreach (var (definition, field, scale) in SlmTotals)
            {
                if (definition is CounterDefinition counter)
                {
                    s.Counter(counter, root, field, scale, s.Cluster);
                }
                else
                {
                    s.Gauge((GaugeDefinition)definition, root, field, scale, s.Cluster);
                }
            }

            if (JsonPath.TryGet(root, "policy_stats", out var policies) && policies.ValueKind == JsonValueKind.Array)
            {
                foreach (var policy in policies.EnumerateArray())
                {
                    var name = JsonPath.String(policy, "policy") ?? string.Empty;
                    foreach (var (definition, field) in SlmPolicy)
                    {
                        s.Counter(definition, policy, field, 1, s.Cluster, name);
                    }
                }
            }
        }

        using var status = await s.Http.GetDocumentAsync("/_slm/status", s.Token);
        if (JsonPath.String(status.RootElement, "operation_mode") is { } mode)
        {
            foreach (var m in Modes)
            {
                s.Writer.Write(SlmMode, m == mode ? 1 : 0, s.Cluster, m);
            }
        }
    }

    public static async Task IlmAsync(SubScrape s)
    {
        var filter = new IndexFilter(s.Options.IndexFilter);
        await s.Http.GetAsync(
            "/_all/_ilm/explain?filter_path=indices.*.managed,indices.*.phase,indices.*.action,indices.*.step",
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, "indices", (index, entry) =>
                {
                    if (index is null || !filter.Matches(index))
                    {
                        return;
                    }

                    var managed = JsonPath.TryGet(entry, "managed", out var m) && m.ValueKind == JsonValueKind.True;
                    s.Writer.Write(IlmIndex, managed ? 1 : 0, s.Cluster, index, JsonPath.String(entry, "phase") ?? string.Empty, JsonPath.String(entry, "action") ?? string.Empty, JsonPath.String(entry, "step") ?? string.Empty);
                }, null, s.MaxEntryBytes, token, null);
                return true;
            },
            s.Token);

        using var status = await s.Http.GetDocumentAsync("/_ilm/status", s.Token);
        if (JsonPath.String(status.RootElement, "operation_mode") is { } mode)
        {
            foreach (var mo in Modes)
            {
                s.Writer.Write(IlmMode, mo == mode ? 1 : 0, s.Cluster, mo);
            }
        }
    }

    public static async Task DataStreamsAsync(SubScrape s)
    {
        using var doc = await s.Http.GetDocumentAsync("/_data_stream/*/_stats", s.Token);
        if (!JsonPath.TryGet(doc.RootElement, "data_streams", out var streams) || streams.ValueKind != JsonValueKind.Array)
        {
            s.Shapes.Report(s.Label, DataStreamBacking.Name, "data_streams");
            return;
        }

        foreach (var stream in streams.EnumerateArray())
        {
            var name = JsonPath.String(stream, "data_stream") ?? string.Empty;
            s.Counter(DataStreamBacking, stream, "backing_indices", 1, s.Cluster, name);
            s.Counter(DataStreamStore, stream, "store_size_bytes", 1, s.Cluster, name);
        }
    }

    public static async Task HealthReportAsync(SubScrape s)
    {
        using var doc = await s.Http.GetDocumentAsync("/_health_report", s.Token);
        var root = doc.RootElement;
        WriteColor(s, ReportStatus, JsonPath.String(root, "status"));
        if (!JsonPath.TryGet(root, "indicators", out var indicators) || indicators.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        for (var i = 0; i < Indicators.Length; i++)
        {
            WriteColor(s, IndicatorStatus[i], JsonPath.String(indicators, Indicators[i] + ".status"));
        }

        WriteColor(s, ShardsAvailabiltyStatus, JsonPath.String(indicators, "shards_availability.status"));

        foreach (var (definition, path) in ReportDetails)
        {
            s.Gauge(definition, indicators, path, 1, s.Cluster);
        }
    }

    /// <summary>
    /// Reads <c>GET /_tasks?group_by=none&amp;actions=…</c> as a stream, one task at a time, and counts the running
    /// tasks per action.
    /// </summary>
    public static Task TasksAsync(SubScrape s)
    {
        var perAction = new SortedDictionary<string, int>(StringComparer.Ordinal);
        return s.Http.GetAsync(
            "/_tasks?group_by=none&actions=" + Uri.EscapeDataString(s.Options.TaskActions),
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(stream, "tasks", (_, task) =>
                {
                    if (JsonPath.String(task, "action") is { } action)
                    {
                        perAction[action] = perAction.GetValueOrDefault(action) + 1;
                    }
                }, null, s.MaxEntryBytes, token);
                foreach (var (action, count) in perAction)
                {
                    s.Writer.Write(TaskActions, count, s.Cluster, action);
                }

                return true;
            },
            s.Token);
    }

    private static void WriteColor(SubScrape s, GaugeDefinition definition, string? status)
    {
        if (status is null)
        {
            return;
        }

        foreach (var color in Colors)
        {
            s.Writer.Write(definition, string.Equals(color, status, StringComparison.OrdinalIgnoreCase) ? 1 : 0, s.Cluster, color);
        }
    }
}
