using System.Text.Json;
using Exporters.Abstractions.Metrics;

namespace Exporters.Elasticsearch;

/// <summary>Per-index (and with <c>shards</c> on, per-shard) statistics from <c>GET /_all/_stats</c>, streamed index by index.</summary>
internal static class IndicesCollector
{
    private const double Ms = 0.001;

    private static readonly string[] IndexLabels = ["cluster", "index"];

    private static readonly (MetricDefinition Definition, string Path, double Scale)[] Table =
    [
        G("elasticsearch_indices_docs_primary", "Count of documents with only primary shards", "primaries.docs.count"),
        G("elasticsearch_indices_docs_total", "Total count of documents", "total.docs.count"),
        G("elasticsearch_indices_deleted_docs_primary", "Count of deleted documents with only primary shards", "primaries.docs.deleted"),
        G("elasticsearch_indices_deleted_docs_total", "Total count of deleted documents", "total.docs.deleted"),
        G("elasticsearch_indices_store_size_bytes_primary", "Current total size of stored index data in bytes with only primary shards on all nodes", "primaries.store.size_in_bytes"),
        G("elasticsearch_indices_store_size_bytes_total", "Current total size of stored index data in bytes with all shards on all nodes", "total.store.size_in_bytes"),
        G("elasticsearch_indices_segment_count_primary", "Current number of segments with only primary shards on all nodes", "primaries.segments.count"),
        G("elasticsearch_indices_segment_count_total", "Current number of segments with all shards on all nodes", "total.segments.count"),
        G("elasticsearch_indices_segment_memory_bytes_primary", "Current size of segments with only primary shards on all nodes in bytes", "primaries.segments.memory_in_bytes"),
        G("elasticsearch_indices_segment_memory_bytes_total", "Current size of segments with all shards on all nodes in bytes", "total.segments.memory_in_bytes"),
        G("elasticsearch_indices_segment_terms_memory_primary", "Current size of terms with only primary shards on all nodes in bytes", "primaries.segments.terms_memory_in_bytes"),
        G("elasticsearch_indices_segment_terms_memory_total", "Current number of terms with all shards on all nodes in bytes", "total.segments.terms_memory_in_bytes"),
        G("elasticsearch_indices_segment_fields_memory_bytes_primary", "Current size of fields with only primary shards on all nodes in bytes", "primaries.segments.stored_fields_memory_in_bytes"),
        G("elasticsearch_indices_segment_fields_memory_bytes_total", "Current size of fields with all shards on all nodes in bytes", "total.segments.stored_fields_memory_in_bytes"),
        G("elasticsearch_indices_segment_term_vectors_memory_primary_bytes", "Current size of term vectors with only primary shards on all nodes in bytes", "primaries.segments.term_vectors_memory_in_bytes"),
        G("elasticsearch_indices_segment_term_vectors_memory_total_bytes", "Current size of term vectors with all shards on all nodes in bytes", "total.segments.term_vectors_memory_in_bytes"),
        G("elasticsearch_indices_segment_norms_memory_bytes_primary", "Current size of norms with only primary shards on all nodes in bytes", "primaries.segments.norms_memory_in_bytes"),
        G("elasticsearch_indices_segment_norms_memory_bytes_total", "Current size of norms with all shards on all nodes in bytes", "total.segments.norms_memory_in_bytes"),
        G("elasticsearch_indices_segment_points_memory_bytes_primary", "Current size of points with only primary shards on all nodes in bytes", "primaries.segments.points_memory_in_bytes"),
        G("elasticsearch_indices_segment_points_memory_bytes_total", "Current size of points with all shards on all nodes in bytes", "total.segments.points_memory_in_bytes"),
        G("elasticsearch_indices_segment_doc_values_memory_bytes_primary", "Current size of doc values with only primary shards on all nodes in bytes", "primaries.segments.doc_values_memory_in_bytes"),
        G("elasticsearch_indices_segment_doc_values_memory_bytes_total", "Current size of doc values with all shards on all nodes in bytes", "total.segments.doc_values_memory_in_bytes"),
        G("elasticsearch_indices_segment_index_writer_memory_bytes_primary", "Current size of index writer with only primary shards on all nodes in bytes", "primaries.segments.index_writer_memory_in_bytes"),
        G("elasticsearch_indices_segment_index_writer_memory_bytes_total", "Current size of index writer with all shards on all nodes in bytes", "total.segments.index_writer_memory_in_bytes"),
        G("elasticsearch_indices_segment_version_map_memory_bytes_primary", "Current size of version map with only primary shards on all nodes in bytes", "primaries.segments.version_map_memory_in_bytes"),
        G("elasticsearch_indices_segment_version_map_memory_bytes_total", "Current size of version map with all shards on all nodes in bytes", "total.segments.version_map_memory_in_bytes"),
        G("elasticsearch_indices_segment_fixed_bit_set_memory_bytes_primary", "Current size of fixed bit with only primary shards on all nodes in bytes", "primaries.segments.fixed_bit_set_memory_in_bytes"),
        G("elasticsearch_indices_segment_fixed_bit_set_memory_bytes_total", "Current size of fixed bit with all shards on all nodes in bytes", "total.segments.fixed_bit_set_memory_in_bytes"),
        G("elasticsearch_indices_completion_bytes_primary", "Current size of completion with only primary shards on all nodes in bytes", "primaries.completion.size_in_bytes"),
        G("elasticsearch_indices_completion_bytes_total", "Current size of completion with all shards on all nodes in bytes", "total.completion.size_in_bytes"),
        G("elasticsearch_search_active_queries", "The number of currently active queries", "total.search.query_current"),
        C("elasticsearch_index_stats_search_query_time_seconds_total", "Total search query time in seconds", "total.search.query_time_in_millis", Ms),
        C("elasticsearch_index_stats_search_query_total", "Total number of queries", "total.search.query_total"),
        C("elasticsearch_index_stats_search_fetch_time_seconds_total", "Total search fetch time in seconds", "total.search.fetch_time_in_millis", Ms),
        C("elasticsearch_index_stats_search_fetch_total", "Total search fetch count", "total.search.fetch_total"),
        C("elasticsearch_index_stats_search_scroll_time_seconds_total", "Total search scroll time in seconds", "total.search.scroll_time_in_millis", Ms),
        G("elasticsearch_index_stats_search_scroll_current", "Current search scroll count", "total.search.scroll_current"),
        C("elasticsearch_index_stats_search_scroll_total", "Total search scroll count", "total.search.scroll_total"),
        C("elasticsearch_index_stats_search_suggest_time_seconds_total", "Total search suggest time in seconds", "total.search.suggest_time_in_millis", Ms),
        C("elasticsearch_index_stats_search_suggest_total", "Total search suggest count", "total.search.suggest_total"),
        C("elasticsearch_index_stats_indexing_index_time_seconds_total", "Total indexing index time in seconds", "total.indexing.index_time_in_millis", Ms),
        G("elasticsearch_index_stats_index_current", "The number of documents currently being indexed to an index", "total.indexing.index_current"),
        C("elasticsearch_index_stats_indexing_index_total", "Total indexing index count", "total.indexing.index_total"),
        C("elasticsearch_index_stats_indexing_delete_time_seconds_total", "Total indexing delete time in seconds", "total.indexing.delete_time_in_millis", Ms),
        C("elasticsearch_index_stats_indexing_delete_total", "Total indexing delete count", "total.indexing.delete_total"),
        C("elasticsearch_index_stats_indexing_noop_update_total", "Total indexing no-op update count", "total.indexing.noop_update_total"),
        C("elasticsearch_index_stats_indexing_throttle_time_seconds_total", "Total indexing throttle time in seconds", "total.indexing.throttle_time_in_millis", Ms),
        C("elasticsearch_index_stats_indexing_index_failed_total", "Total number of failed indexing operations", "total.indexing.index_failed"),
        G("elasticsearch_index_stats_indexing_delete_current", "The number of delete operations currently running", "total.indexing.delete_current"),
        G("elasticsearch_index_stats_indexing_is_throttled", "Whether indexing into the index is throttled now (1) or not (0)", "total.indexing.is_throttled"),
        G("elasticsearch_index_stats_indexing_write_load", "Write load of indexing into the index (Elasticsearch 8.6+)", "total.indexing.write_load"),
        C("elasticsearch_index_stats_get_time_seconds_total", "Total get time in seconds", "total.get.time_in_millis", Ms),
        C("elasticsearch_index_stats_get_total", "Total get count", "total.get.total"),
        C("elasticsearch_index_stats_merge_time_seconds_total", "Total merge time in seconds", "total.merges.total_time_in_millis", Ms),
        C("elasticsearch_index_stats_merge_total", "Total merge count", "total.merges.total"),
        C("elasticsearch_index_stats_merge_throttle_time_seconds_total", "Total merge I/O throttle time in seconds", "total.merges.total_throttled_time_in_millis", Ms),
        C("elasticsearch_index_stats_merge_stopped_time_seconds_total", "Total large merge stopped time in seconds", "total.merges.total_stopped_time_in_millis", Ms),
        C("elasticsearch_index_stats_merge_auto_throttle_bytes_total", "Total bytes that were auto-throttled during merging", "total.merges.total_auto_throttle_in_bytes"),
        C("elasticsearch_index_stats_refresh_time_seconds_total", "Total refresh time in seconds", "total.refresh.total_time_in_millis", Ms),
        C("elasticsearch_index_stats_refresh_total", "Total refresh count", "total.refresh.total"),
        C("elasticsearch_index_stats_refresh_external_time_seconds_total", "Total time of external refreshes in seconds", "total.refresh.external_total_time_in_millis", Ms),
        C("elasticsearch_index_stats_refresh_external_total", "Total number of external refreshes", "total.refresh.external_total"),
        C("elasticsearch_index_stats_flush_time_seconds_total", "Total flush time in seconds", "total.flush.total_time_in_millis", Ms),
        C("elasticsearch_index_stats_flush_total", "Total flush count", "total.flush.total"),
        C("elasticsearch_index_stats_warmer_time_seconds_total", "Total warmer time in seconds", "total.warmer.total_time_in_millis", Ms),
        C("elasticsearch_index_stats_warmer_total", "Total warmer count", "total.warmer.total"),
        C("elasticsearch_index_stats_query_cache_memory_bytes_total", "Total query cache memory bytes", "total.query_cache.memory_size_in_bytes"),
        G("elasticsearch_index_stats_query_cache_size", "Total query cache size", "total.query_cache.cache_size"),
        C("elasticsearch_index_stats_query_cache_hits_total", "Total query cache hits count", "total.query_cache.hit_count"),
        C("elasticsearch_index_stats_query_cache_misses_total", "Total query cache misses count", "total.query_cache.miss_count"),
        C("elasticsearch_index_stats_query_cache_caches_total", "Total query cache caches count", "total.query_cache.cache_count"),
        C("elasticsearch_index_stats_query_cache_evictions_total", "Total query cache evictions count", "total.query_cache.evictions"),
        C("elasticsearch_index_stats_request_cache_memory_bytes_total", "Total request cache memory bytes", "total.request_cache.memory_size_in_bytes"),
        C("elasticsearch_index_stats_request_cache_hits_total", "Total request cache hits count", "total.request_cache.hit_count"),
        C("elasticsearch_index_stats_request_cache_misses_total", "Total request cache misses count", "total.request_cache.miss_count"),
        C("elasticsearch_index_stats_request_cache_evictions_total", "Total request cache evictions count", "total.request_cache.evictions"),
        C("elasticsearch_index_stats_fielddata_memory_bytes_total", "Total fielddata memory bytes", "total.fielddata.memory_size_in_bytes"),
        C("elasticsearch_index_stats_fielddata_evictions_total", "Total fielddata evictions count", "total.fielddata.evictions"),
    ];

    private static readonly string[] ShardLabels = ["cluster", "index", "node", "primary", "shard"];
    private static readonly GaugeDefinition ShardDocs = new("elasticsearch_indices_shards_docs", "Count of documents on this shard", ShardLabels);
    private static readonly GaugeDefinition ShardDocsDeleted = new("elasticsearch_indices_shards_docs_deleted", "Count of deleted documents on this shard", ShardLabels);
    private static readonly GaugeDefinition ShardStore = new("elasticsearch_indices_shards_store_size_in_bytes", "Store size of this shard", ShardLabels);

    /// <summary>Indices that matched the filter but were cut by <c>index_filter.max_indices</c>.</summary>
    internal static readonly GaugeDefinition Omitted = new("elasticsearch_indices_omitted", "Indices that match index_filter but were left out by index_filter.max_indices in this scrape", ["cluster"]);

    /// <summary>Indices reported in this scrape.</summary>
    internal static readonly GaugeDefinition Reported = new("elasticsearch_indices_reported", "Indices reported by the index-level families in this scrape (after index_filter)", ["cluster"]);

    internal static IEnumerable<MetricDefinition> IndexFamilies => [.. Table.Select(t => t.Definition), Omitted, Reported];

    internal static IEnumerable<MetricDefinition> ShardFamilies => [ShardDocs, ShardDocsDeleted, ShardStore];

    public static Task CollectAsync(SubScrape s, bool shards)
    {
        var budget = new IndexBudget(new IndexFilter(s.Options.IndexFilter));
        var table = new IndexTable(s.Cluster);
        var path = "/_all/_stats?ignore_unavailable=true&filter_path=indices" + (shards ? "&level=shards" : string.Empty);
        return s.Http.GetAsync(
            path,
            async (stream, token) =>
            {
                await JsonEntryStream.ReadAsync(
                    stream,
                    "indices",
                    (index, stats) =>
                    {
                        budget.Take();
                        table.Add(s, index ?? string.Empty, stats, shards);
                    },
                    null,
                    s.MaxEntryBytes,
                    token,
                    budget.Want);
                s.Writer.Write(Omitted, budget.Omitted, s.Cluster);
                s.Writer.Write(Reported, budget.Reported, s.Cluster);
                s.Commit = table.WriteTo;
                return true;
            },
            s.Token);
    }

    /// <summary>
    /// The numbers of every reported index, kept as one row of doubles per index until the whole response has been
    /// read: far smaller than staged series, and nothing reaches the scrape when the response breaks off halfway.
    /// </summary>
    private sealed class IndexTable(string cluster)
    {
        private readonly List<(string Index, double[] Values)> _rows = [];
        private readonly List<ShardRow> _shards = [];

        public void Add(SubScrape s, string index, JsonElement stats, bool shards)
        {
            var values = new double[Table.Length];
            for (var i = 0; i < Table.Length; i++)
            {
                var (definition, path, scale) = Table[i];
                values[i] = JsonPath.TryNumber(stats, path, out var value) switch
                {
                    Lookup.Found => SubScrape.Scale(value, scale),
                    Lookup.WrongShape => Report(s, definition, path),
                    _ => double.NaN,
                };
            }

            _rows.Add((index, values));
            if (!shards || !JsonPath.TryGet(stats, "shards", out var byNumber) || byNumber.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var shard in byNumber.EnumerateObject())
            {
                if (shard.Value.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var copy in shard.Value.EnumerateArray())
                {
                    _shards.Add(new ShardRow(
                        index,
                        JsonPath.String(copy, "routing.node") ?? string.Empty,
                        JsonPath.TryGet(copy, "routing.primary", out var p) && p.ValueKind == JsonValueKind.True,
                        shard.Name,
                        Number(copy, "docs.count"),
                        Number(copy, "docs.deleted"),
                        Number(copy, "store.size_in_bytes")));
                }
            }
        }

        public void WriteTo(MetricWriter writer)
        {
            // Family by family, so the writer's last-family shortcut applies to every sample.
            for (var i = 0; i < Table.Length; i++)
            {
                var definition = Table[i].Definition;
                foreach (var (index, values) in _rows)
                {
                    var value = values[i];
                    if (double.IsNaN(value))
                    {
                        continue;
                    }

                    if (definition is GaugeDefinition gauge)
                    {
                        writer.Write(gauge, value, cluster, index);
                    }
                    else
                    {
                        writer.Write((CounterDefinition)definition, value, cluster, index);
                    }
                }
            }

            WriteShards(writer, ShardDocs, static r => r.Docs);
            WriteShards(writer, ShardDocsDeleted, static r => r.Deleted);
            WriteShards(writer, ShardStore, static r => r.Store);
        }

        private static double Report(SubScrape s, MetricDefinition definition, string path)
        {
            s.Shapes.Report(s.Label, definition.Name, path);
            return double.NaN;
        }

        private static double Number(JsonElement element, string path) =>
            JsonPath.TryNumber(element, path, out var value) == Lookup.Found ? value : double.NaN;

        private void WriteShards(MetricWriter writer, GaugeDefinition definition, Func<ShardRow, double> value)
        {
            foreach (var row in _shards)
            {
                var v = value(row);
                if (!double.IsNaN(v))
                {
                    writer.Write(definition, v, cluster, row.Index, row.Node, row.Primary ? "true" : "false", row.Shard);
                }
            }
        }
    }

    private readonly record struct ShardRow(string Index, string Node, bool Primary, string Shard, double Docs, double Deleted, double Store);

    private static (MetricDefinition, string, double) G(string name, string help, string path, double scale = 1) => (new GaugeDefinition(name, help, IndexLabels), path, scale);

    private static (MetricDefinition, string, double) C(string name, string help, string path, double scale = 1) => (new CounterDefinition(name, help, IndexLabels), path, scale);
}
