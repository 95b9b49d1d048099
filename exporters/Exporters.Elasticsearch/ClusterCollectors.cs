using System.Globalization;
using System.Text.Json;
using Exporters.Abstractions.Metrics;

namespace Exporters.Elasticsearch;

/// <summary>Cluster health, cluster info and cluster settings: small responses read whole.</summary>
internal static class ClusterCollectors
{
    private static readonly string[] Cluster = ["cluster"];
    private static readonly string[] Colors = ["green", "yellow", "red"];

    private static readonly (GaugeDefinition Definition, string Field)[] Health =
    [
        (new("elasticsearch_cluster_health_active_primary_shards", "The number of primary shards in your cluster. This is an aggregate total across all indices.", Cluster), "active_primary_shards"),
        (new("elasticsearch_cluster_health_active_shards", "Aggregate total of all shards across all indices, which includes replica shards.", Cluster), "active_shards"),
        (new("elasticsearch_cluster_health_delayed_unassigned_shards", "Shards delayed to reduce reallocation overhead", Cluster), "delayed_unassigned_shards"),
        (new("elasticsearch_cluster_health_initializing_shards", "Count of shards that are being freshly created.", Cluster), "initializing_shards"),
        (new("elasticsearch_cluster_health_number_of_data_nodes", "Number of data nodes in the cluster.", Cluster), "number_of_data_nodes"),
        (new("elasticsearch_cluster_health_number_of_in_flight_fetch", "The number of ongoing shard info requests.", Cluster), "number_of_in_flight_fetch"),
        (new("elasticsearch_cluster_health_task_max_waiting_in_queue_millis", "Tasks max time waiting in queue.", Cluster), "task_max_waiting_in_queue_millis"),
        (new("elasticsearch_cluster_health_number_of_nodes", "Number of nodes in the cluster.", Cluster), "number_of_nodes"),
        (new("elasticsearch_cluster_health_number_of_pending_tasks", "Cluster level changes which have not yet been executed", Cluster), "number_of_pending_tasks"),
        (new("elasticsearch_cluster_health_relocating_shards", "The number of shards that are currently moving from one node to another node.", Cluster), "relocating_shards"),
        (new("elasticsearch_cluster_health_unassigned_shards", "The number of shards that exist in the cluster state, but cannot be found in the cluster itself.", Cluster), "unassigned_shards"),
    ];

    private static readonly GaugeDefinition HealthStatus = new("elasticsearch_cluster_health_status", "Whether the cluster health is this colour (1) or not (0)", ["cluster", "color"]);

    private static readonly GaugeDefinition Version = new("elasticsearch_version", "Elasticsearch version information, constant 1", ["cluster", "cluster_uuid", "build_date", "build_hash", "version", "lucene_version"]);

    private static readonly GaugeDefinition MaxShardsPerNode = new("elasticsearch_clustersettings_stats_max_shards_per_node", "Current maximum number of shards per node setting.", Cluster);
    private static readonly GaugeDefinition ShardAllocationEnabled = new("elasticsearch_clustersettings_stats_shard_allocation_enabled", "Current mode of cluster wide shard routing allocation settings (0 all, 1 primaries, 2 new_primaries, 3 none).", Cluster);
    private static readonly GaugeDefinition ThresholdEnabled = new("elasticsearch_clustersettings_allocation_threshold_enabled", "Whether the disk allocation decider is enabled.", Cluster);
    private static readonly GaugeDefinition[] WatermarkRatio =
    [
        new("elasticsearch_clustersettings_allocation_watermark_low_ratio", "Low watermark for disk usage as a ratio.", Cluster),
        new("elasticsearch_clustersettings_allocation_watermark_high_ratio", "High watermark for disk usage as a ratio.", Cluster),
        new("elasticsearch_clustersettings_allocation_watermark_flood_stage_ratio", "Flood stage watermark for disk usage as a ratio.", Cluster),
    ];

    private static readonly GaugeDefinition[] WatermarkBytes =
    [
        new("elasticsearch_clustersettings_allocation_watermark_low_bytes", "Low watermark for disk usage in bytes (free space).", Cluster),
        new("elasticsearch_clustersettings_allocation_watermark_high_bytes", "High watermark for disk usage in bytes (free space).", Cluster),
        new("elasticsearch_clustersettings_allocation_watermark_flood_stage_bytes", "Flood stage watermark for disk usage in bytes (free space).", Cluster),
    ];

    private static readonly string[] WatermarkNames = ["low", "high", "flood_stage"];

    internal static IEnumerable<MetricDefinition> HealthFamilies => [.. Health.Select(h => h.Definition), HealthStatus];

    internal static IEnumerable<MetricDefinition> InfoFamilies => [Version];

    internal static IEnumerable<MetricDefinition> SettingsFamilies => [MaxShardsPerNode, ShardAllocationEnabled, ThresholdEnabled, .. WatermarkRatio, .. WatermarkBytes];

    /// <summary>Reads <c>GET /</c>: the cluster name every family is labelled with, and <c>elasticsearch_version</c>.</summary>
    public static async Task<string?> InfoAsync(SubScrape s)
    {
        using var doc = await s.Http.GetDocumentAsync("/", s.Token);
        var root = doc.RootElement;
        var name = JsonPath.String(root, "cluster_name");
        if (JsonPath.String(root, "version.number") is { } number)
        {
            s.Writer.Write(
                Version,
                1,
                name ?? s.Cluster,
                JsonPath.String(root, "cluster_uuid") ?? string.Empty,
                JsonPath.String(root, "version.build_date") ?? string.Empty,
                JsonPath.String(root, "version.build_hash") ?? string.Empty,
                number,
                JsonPath.String(root, "version.lucene_version") ?? string.Empty);
        }
        else
        {
            s.Shapes.Report(s.Label, Version.Name, "version.number");
        }

        return name;
    }

    /// <summary>Reads <c>GET /_cluster/health</c>.</summary>
    public static async Task<string?> HealthAsync(SubScrape s)
    {
        using var doc = await s.Http.GetDocumentAsync("/_cluster/health", s.Token);
        var root = doc.RootElement;
        foreach (var (definition, field) in Health)
        {
            s.Gauge(definition, root, field, 1, s.Cluster);
        }

        var status = JsonPath.String(root, "status");
        if (status is not null)
        {
            foreach (var color in Colors)
            {
                s.Writer.Write(HealthStatus, string.Equals(color, status, StringComparison.OrdinalIgnoreCase) ? 1 : 0, s.Cluster, color);
            }
        }

        return JsonPath.String(root, "cluster_name");
    }

    /// <summary>Reads <c>GET /_cluster/settings?include_defaults=true</c>; transient beats persistent beats defaults.</summary>
    public static async Task SettingsAsync(SubScrape s)
    {
        using var doc = await s.Http.GetDocumentAsync("/_cluster/settings?include_defaults=true&filter_path=*.cluster.max_shards_per_node,*.cluster.routing.allocation.enable,*.cluster.routing.allocation.disk.threshold_enabled,*.cluster.routing.allocation.disk.watermark", s.Token);
        var root = doc.RootElement;
        if (Setting(root, "cluster.max_shards_per_node") is { } maxShards && double.TryParse(maxShards, NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
        {
            s.Writer.Write(MaxShardsPerNode, m, s.Cluster);
        }

        if (Setting(root, "cluster.routing.allocation.enable") is { } enable)
        {
            double? mode = enable.ToLowerInvariant() switch
            {
                "all" => 0,
                "primaries" => 1,
                "new_primaries" => 2,
                "none" => 3,
                _ => null,
            };
            if (mode is { } value)
            {
                s.Writer.Write(ShardAllocationEnabled, value, s.Cluster);
            }
        }

        if (Setting(root, "cluster.routing.allocation.disk.threshold_enabled") is { } threshold)
        {
            s.Writer.Write(ThresholdEnabled, string.Equals(threshold, "true", StringComparison.OrdinalIgnoreCase) ? 1 : 0, s.Cluster);
        }

        for (var i = 0; i < WatermarkNames.Length; i++)
        {
            var text = Setting(root, "cluster.routing.allocation.disk.watermark." + WatermarkNames[i]);
            if (text is null)
            {
                continue;
            }

            if (TryRatio(text, out var ratio))
            {
                s.Writer.Write(WatermarkRatio[i], ratio, s.Cluster);
            }
            else if (TryBytes(text, out var bytes))
            {
                s.Writer.Write(WatermarkBytes[i], bytes, s.Cluster);
            }
            else
            {
                s.Shapes.Report(s.Label, WatermarkRatio[i].Name, "cluster.routing.allocation.disk.watermark." + WatermarkNames[i]);
            }
        }
    }

    /// <summary>A setting by dotted name from the flat or the nested form, in precedence order.</summary>
    private static string? Setting(JsonElement root, string name)
    {
        foreach (var section in (ReadOnlySpan<string>)["transient", "persistent", "defaults"])
        {
            if (!root.TryGetProperty(section, out var s) || s.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (s.TryGetProperty(name, out var flat) && flat.ValueKind == JsonValueKind.String)
            {
                return flat.GetString();
            }

            if (JsonPath.TryGet(s, name, out var nested) && nested.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                return nested.ValueKind == JsonValueKind.String ? nested.GetString() : nested.GetRawText();
            }
        }

        return null;
    }

    internal static bool TryRatio(string text, out double ratio)
    {
        text = text.Trim();
        if (text.EndsWith('%') && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            ratio = percent / 100;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out ratio) && ratio <= 1)
        {
            return true;
        }

        ratio = 0;
        return false;
    }

    internal static bool TryBytes(string text, out double bytes)
    {
        text = text.Trim().ToLowerInvariant();
        (string Suffix, double Scale)[] units = [("pb", 1L << 50), ("tb", 1L << 40), ("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10), ("b", 1)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                bytes = n * scale;
                return true;
            }
        }

        bytes = 0;
        return false;
    }
}
