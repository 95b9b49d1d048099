using System.Text.Json;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace Exporters.Elasticsearch;

/// <summary>What one sub-collector needs for one scrape. Samples go to a staging writer that is merged only when the sub-collector succeeds.</summary>
internal sealed class SubScrape
{
    public required string Label { get; init; }

    public required EsHttp Http { get; init; }

    public required MetricWriter Writer { get; init; }

    public required string Cluster { get; init; }

    public required ElasticsearchOptions Options { get; init; }

    public required CancellationToken Token { get; init; }

    public required ShapeLog Shapes { get; init; }

    /// <summary>Writes what the sub-collector kept outside <see cref="Writer"/>, once it has succeeded.</summary>
    public Action<MetricWriter>? Commit { get; set; }

    /// <summary>The largest single entry (one node, one index) accepted from a streamed response.</summary>
    public int MaxEntryBytes => (int)Math.Min(Options.MaxResponseBytes, 64L * 1024 * 1024);

    /// <summary>Writes a gauge from a JSON number, if present; a value of another shape is logged once and skipped.</summary>
    public void Gauge(GaugeDefinition definition, JsonElement source, string path, double scale, params ReadOnlySpan<string> labels)
    {
        if (Read(definition, source, path, out var value))
        {
            Writer.Write(definition, Scale(value, scale), labels);
        }
    }

    /// <summary>Writes a counter from a JSON number, if present; a value of another shape is logged once and skipped.</summary>
    public void Counter(CounterDefinition definition, JsonElement source, string path, double scale, params ReadOnlySpan<string> labels)
    {
        if (Read(definition, source, path, out var value))
        {
            Writer.Write(definition, Scale(value, scale), labels);
        }
    }

    /// <summary>Milliseconds are divided rather than multiplied by 0.001, so 103 ms renders as 0.103 and not 0.10300000000000001.</summary>
    internal static double Scale(double value, double scale) => scale == 0.001 ? value / 1000 : value * scale;

    private bool Read(MetricDefinition definition, JsonElement source, string path, out double value)
    {
        switch (JsonPath.TryNumber(source, path, out value))
        {
            case Lookup.Found:
                return true;
            case Lookup.WrongShape:
                Shapes.Report(Label, definition.Name, path);
                return false;
            default:
                return false;
        }
    }
}

/// <summary>Logs each unexpected field shape once per collector instance, not on every scrape.</summary>
internal sealed class ShapeLog(ILogger logger)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public void Report(string collector, string metric, string field)
    {
        var key = collector + "/" + metric;
        bool first;
        lock (_seen)
        {
            first = _seen.Count < 10_000 && _seen.Add(key);
        }

        if (first)
        {
            logger.LogWarning("elasticsearch {Collector}: field '{Field}' has an unexpected shape in this Elasticsearch version; {Metric} is skipped (logged once)", collector, field, metric);
        }
    }
}
