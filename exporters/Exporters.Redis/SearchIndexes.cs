using System.Text.RegularExpressions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;

namespace Exporters.Redis;

/// <summary>
/// Opt-in search index families (<c>FT._LIST</c>, then <c>FT.INFO</c> per matching index), named as redis_exporter
/// names them: <c>redis_search_index_*{index_name}</c>. One series per index and family; the number of indexes is
/// bounded by <c>max_checked_keys</c>.
/// </summary>
internal sealed class SearchIndexes
{
    private const double BytesPerMebibyte = 1024 * 1024;

    // FT.INFO field, family suffix, scale, whether a counter. Sizes come in mebibytes and are reported in bytes.
    private static readonly (string Field, string Metric, double Scale, bool Counter)[] Fields =
    [
        ("num_docs", "num_docs", 1, false),
        ("max_doc_id", "max_doc_id", 1, false),
        ("num_terms", "num_terms", 1, false),
        ("num_records", "num_records", 1, false),
        ("inverted_sz_mb", "inverted_size_bytes", BytesPerMebibyte, false),
        ("total_inverted_index_blocks", "total_inverted_index_blocks", 1, false),
        ("vector_index_sz_mb", "vector_index_size_bytes", BytesPerMebibyte, false),
        ("offset_vectors_sz_mb", "offset_vectors_size_bytes", BytesPerMebibyte, false),
        ("doc_table_size_mb", "doc_table_size_bytes", BytesPerMebibyte, false),
        ("sortable_values_size_mb", "sortable_values_size_bytes", BytesPerMebibyte, false),
        ("key_table_size_mb", "key_table_size_bytes", BytesPerMebibyte, false),
        ("tag_overhead_sz_mb", "tag_overhead_size_bytes", BytesPerMebibyte, false),
        ("text_overhead_sz_mb", "text_overhead_size_bytes", BytesPerMebibyte, false),
        ("total_index_memory_sz_mb", "total_index_memory_size_bytes", BytesPerMebibyte, false),
        ("geoshapes_sz_mb", "geoshapes_size_bytes", BytesPerMebibyte, false),
        ("records_per_doc_avg", "avg_per_doc_records", 1, false),
        ("bytes_per_record_avg", "avg_per_record_bytes", 1, false),
        ("offsets_per_term_avg", "avg_per_term_offsets", 1, false),
        ("offset_bits_per_record_avg", "avg_per_record_offset_bits", 1, false),
        ("indexing", "indexing", 1, false),
        ("percent_indexed", "percent_indexed", 1, false),
        ("hash_indexing_failures", "hash_indexing_failures", 1, false),
        ("number_of_uses", "number_of_uses_total", 1, true),
        ("cleaning", "cleaning", 1, false),
    ];

    private static readonly string[] IndexLabel = ["index_name"];

    private readonly Regex _pattern;
    private readonly int _maxIndexes;
    private readonly MetricDefinition[] _definitions;

    private SearchIndexes(Regex pattern, int maxIndexes, string prefix)
    {
        _pattern = pattern;
        _maxIndexes = maxIndexes;
        _definitions = [.. Fields.Select(f => f.Counter
            ? (MetricDefinition)new CounterDefinition(prefix + "search_index_" + f.Metric, $"Search index field {f.Field} (FT.INFO).", IndexLabel)
            : new GaugeDefinition(prefix + "search_index_" + f.Metric, $"Search index field {f.Field} (FT.INFO).", IndexLabel))];
    }

    /// <summary>The families this writes, for the documentation test.</summary>
    public IReadOnlyList<MetricDefinition> Definitions => _definitions;

    public static SearchIndexes? Create(RedisOptions options) =>
        options.IncludeSearchIndexesMetrics && TryParsePattern(options.CheckSearchIndexes, out var pattern, out _)
            ? new SearchIndexes(pattern, options.MaxCheckedKeys, options.Namespace + "_")
            : null;

    public static bool TryParsePattern(string? text, out Regex pattern, out string error)
    {
        error = string.Empty;
        try
        {
            // Interpreted, with a match timeout: the pattern comes from configuration and runs on names the server sends.
            pattern = new Regex(string.IsNullOrEmpty(text) ? ".*" : text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException e)
        {
            pattern = new Regex(".*", RegexOptions.None, TimeSpan.FromMilliseconds(100));
            error = $"'{text}' is not a regular expression: {e.Message}";
            return false;
        }
    }

    /// <summary>Lists and reports the indexes; an error reply (no search module) reports nothing.</summary>
    public async Task RunAsync(RedisConnection connection, MetricWriter writer, CancellationToken token)
    {
        var list = (await connection.ExecuteAsync([(string[])["FT._LIST"]], token))[0];
        if (list.IsError)
        {
            return;
        }

        var names = new List<string>();
        foreach (var item in list.Items)
        {
            if (item.AsString() is { } name && names.Count < _maxIndexes && Matches(name))
            {
                names.Add(name);
            }
        }

        if (names.Count == 0)
        {
            return;
        }

        var replies = await connection.ExecuteAsync(names.Select(n => (IReadOnlyList<string>)["FT.INFO", n]).ToList(), token);
        for (var i = 0; i < names.Count; i++)
        {
            if (replies[i].IsError)
            {
                continue;
            }

            var fields = new Dictionary<string, RespValue>(StringComparer.Ordinal);
            foreach (var (key, value) in replies[i].Pairs())
            {
                fields.TryAdd(key, value);
            }

            for (var f = 0; f < Fields.Length; f++)
            {
                if (fields.TryGetValue(Fields[f].Field, out var value) && value.TryGetNumber(out var number) && double.IsFinite(number))
                {
                    switch (_definitions[f])
                    {
                        case CounterDefinition counter:
                            writer.Write(counter, number * Fields[f].Scale, names[i]);
                            break;
                        case GaugeDefinition gauge:
                            writer.Write(gauge, number * Fields[f].Scale, names[i]);
                            break;
                    }
                }
            }
        }
    }

    private bool Matches(string name)
    {
        try
        {
            return _pattern.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
