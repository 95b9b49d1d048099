using System.Text;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace Exporters.Passthrough;

/// <summary>
/// Re-emits parsed families through a <see cref="MetricWriter"/>: applies the filter, the prefix and the series
/// limit, maps each family to a checked definition (kept between scrapes, so a steady target allocates none), and
/// reports lines and series that cannot be re-emitted instead of passing them on.
/// </summary>
/// <remarks>
/// Untyped (text) and unknown (OpenMetrics) families become gauges; gauge histograms are skipped; <c>_created</c>
/// samples and sample timestamps are dropped. A label missing from some series of a family is written with an
/// empty value, which Prometheus treats as the same series.
/// </remarks>
public sealed class FamilyEmitter : IFamilySink
{
    private const int MaxLoggedLines = 5;
    private const int MaxCachedDefinitions = 20_000;
    private readonly Dictionary<string, MetricDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _emitted = new(StringComparer.Ordinal);
    private readonly List<string> _union = [];
    private readonly List<HistogramBucket> _buckets = [];
    private readonly List<SummaryQuantile> _quantiles = [];
    private string[] _current = new string[8];
    private string[] _candidate = new string[8];
    private MetricWriter? _writer;
    private ILogger? _logger;
    private IReadOnlySet<string>? _reserved;

    /// <summary>Creates an emitter.</summary>
    /// <param name="filter">Which families to keep.</param>
    /// <param name="prefix">Prepended to every family name, or empty.</param>
    /// <param name="seriesLimit">The most series one scrape re-emits; 0 for no limit.</param>
    public FamilyEmitter(FamilyFilter filter, string? prefix, int seriesLimit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(seriesLimit);
        Filter = filter;
        Prefix = prefix ?? string.Empty;
        SeriesLimit = seriesLimit;
    }

    /// <summary>The family filter.</summary>
    public FamilyFilter Filter { get; }

    /// <summary>The name prefix.</summary>
    public string Prefix { get; }

    /// <summary>The series limit per scrape (0: none).</summary>
    public int SeriesLimit { get; }

    /// <summary>Series written in the current scrape.</summary>
    public int SeriesWritten { get; private set; }

    /// <summary>Families written in the current scrape.</summary>
    public int FamiliesWritten { get; private set; }

    /// <summary>Series dropped in the current scrape because of <see cref="SeriesLimit"/>.</summary>
    public int SeriesDropped { get; private set; }

    /// <summary>Families skipped in the current scrape: name taken, unsupported type, or an invalid definition.</summary>
    public int FamiliesSkipped { get; private set; }

    /// <summary>Families left out in the current scrape by the filter.</summary>
    public int FamiliesFiltered { get; private set; }

    /// <summary>Lines and series skipped as invalid in the current scrape.</summary>
    public int Malformed { get; private set; }

    /// <summary>Starts a scrape that writes into <paramref name="writer"/>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="logger">Where problems are logged (the first few per scrape), or null.</param>
    /// <param name="reservedNames">Family names the caller writes itself; families that would take them are skipped.</param>
    public void Begin(MetricWriter writer, ILogger? logger, IReadOnlySet<string>? reservedNames)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _logger = logger;
        _reserved = reservedNames;
        _emitted.Clear();
        SeriesWritten = FamiliesWritten = SeriesDropped = FamiliesSkipped = FamiliesFiltered = Malformed = 0;
    }

    /// <inheritdoc/>
    public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line)
    {
        Malformed++;
        if (Malformed <= MaxLoggedLines && _logger is not null)
        {
            var excerpt = Encoding.UTF8.GetString(line.Length > 120 ? line[..120] : line);
            _logger.LogWarning("skipped malformed line {Line} of the target's metrics: {Reason}: {Excerpt}", lineNumber, reason, excerpt);
        }
    }

    /// <inheritdoc/>
    public void OnFamily(ParsedFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var writer = _writer ?? throw new InvalidOperationException("call Begin before parsing");
        var sourceName = family.Type switch
        {
            ParsedType.Counter when IsOpenMetricsCounter(family) => family.Name + "_total",
            ParsedType.Info => family.Name + "_info",
            _ => family.Name,
        };
        if (!Filter.Allows(sourceName))
        {
            FamiliesFiltered++;
            return;
        }

        if (family.Type == ParsedType.GaugeHistogram)
        {
            Skip(family, "gauge histograms are not supported");
            return;
        }

        var name = Prefix.Length == 0 ? sourceName : Prefix + sourceName;
        if (_emitted.Contains(name) || (_reserved?.Contains(name) ?? false))
        {
            Skip(family, $"the name '{name}' is already taken in this scrape");
            return;
        }

        var excluded = family.Type switch
        {
            ParsedType.Histogram => "le",
            ParsedType.Summary => "quantile",
            ParsedType.StateSet => family.Name,
            _ => null,
        };
        BuildUnion(family, excluded);
        MetricDefinition definition;
        try
        {
            definition = Definition(family, name);
        }
        catch (ArgumentException e)
        {
            Skip(family, e.Message);
            return;
        }

        _emitted.Add(name);
        var before = writer.Batch.SeriesCount;
        var rejectedBefore = writer.RejectedSamples;
        try
        {
            switch (definition)
            {
                case HistogramDefinition or SummaryDefinition:
                    WriteCompound(family, definition, writer);
                    break;
                default:
                    WriteSimple(family, definition, writer);
                    break;
            }
        }
        catch (ArgumentException e)
        {
            Skip(family, e.Message);
            return;
        }

        var rejected = writer.RejectedSamples - rejectedBefore;
        if (rejected > 0)
        {
            Malformed += rejected;
            _logger?.LogWarning("skipped {Count} invalid series of family {Family}: {Reason}", rejected, family.Name, writer.LastRejection);
        }

        if (writer.Batch.SeriesCount > before)
        {
            FamiliesWritten++;
        }
    }

    private static bool IsOpenMetricsCounter(ParsedFamily family)
    {
        foreach (var sample in family.Samples)
        {
            return sample.Kind is SampleKind.Total or SampleKind.Created;
        }

        return false;
    }

    private static bool TryParseBound(string text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf" or "+inf" or "inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf" or "-inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
        }
    }

    private void Skip(ParsedFamily family, string reason)
    {
        FamiliesSkipped++;
        _logger?.LogWarning("skipped family {Family} of the target's metrics: {Reason}", family.Name, reason);
    }

    private void BuildUnion(ParsedFamily family, string? excluded)
    {
        _union.Clear();
        foreach (var sample in family.Samples)
        {
            foreach (var label in family.LabelNames(sample))
            {
                if ((excluded is null || !string.Equals(label, excluded, StringComparison.Ordinal)) && !Contains(_union, label))
                {
                    _union.Add(label);
                }
            }
        }

        if (_current.Length < _union.Count)
        {
            _current = new string[_union.Count * 2];
            _candidate = new string[_union.Count * 2];
        }
    }

    private static bool Contains(List<string> list, string value)
    {
        foreach (var item in list)
        {
            if (string.Equals(item, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private MetricDefinition Definition(ParsedFamily family, string name)
    {
        var help = family.Help ?? string.Empty;
        var type = family.Type switch
        {
            ParsedType.Counter => MetricType.Counter,
            ParsedType.Histogram => MetricType.Histogram,
            ParsedType.Summary => MetricType.Summary,
            ParsedType.Info => MetricType.Info,
            ParsedType.StateSet => MetricType.StateSet,
            _ => MetricType.Gauge,
        };
        var unit = family.Unit;
        if (unit is not null && type is MetricType.Info or MetricType.StateSet)
        {
            unit = null;
        }

        if (unit is not null && !(Prefix + family.Name).EndsWith("_" + unit, StringComparison.Ordinal))
        {
            unit = null;
        }

        if (_definitions.TryGetValue(name, out var cached) && cached.Type == type && string.Equals(cached.Help, help, StringComparison.Ordinal)
            && string.Equals(cached.Unit, unit, StringComparison.Ordinal) && SameLabels(cached.LabelNames))
        {
            return cached;
        }

        string[] labels = [.. _union];
        MetricDefinition created = type switch
        {
            MetricType.Counter => new CounterDefinition(name, help, labels, unit),
            MetricType.Histogram => new HistogramDefinition(name, help, labels, unit),
            MetricType.Summary => new SummaryDefinition(name, help, labels, unit),
            MetricType.Info => new InfoDefinition(name, help, labels),
            MetricType.StateSet => new StateSetDefinition(name, help, labels),
            _ => new GaugeDefinition(name, help, labels, unit),
        };
        if (_definitions.Count >= MaxCachedDefinitions)
        {
            _definitions.Clear();
        }

        _definitions[name] = created;
        return created;
    }

    private bool SameLabels(IReadOnlyList<string> names)
    {
        if (names.Count != _union.Count)
        {
            return false;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (!string.Equals(names[i], _union[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Puts the sample's label values in definition order into <paramref name="target"/> (empty when absent).</summary>
    private void Fill(ParsedFamily family, in ParsedSample sample, string[] target)
    {
        var count = _union.Count;
        Array.Fill(target, string.Empty, 0, count);
        var names = family.LabelNames(sample);
        var values = family.LabelValues(sample);
        for (var i = 0; i < names.Length; i++)
        {
            for (var j = 0; j < count; j++)
            {
                if (string.Equals(_union[j], names[i], StringComparison.Ordinal))
                {
                    target[j] = values[i];
                    break;
                }
            }
        }
    }

    private bool SameSeries()
    {
        for (var i = 0; i < _union.Count; i++)
        {
            if (!string.Equals(_current[i], _candidate[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private bool Admit()
    {
        if (SeriesLimit > 0 && SeriesWritten >= SeriesLimit)
        {
            SeriesDropped++;
            return false;
        }

        SeriesWritten++;
        return true;
    }

    private void WriteSimple(ParsedFamily family, MetricDefinition definition, MetricWriter writer)
    {
        var labels = _current.AsSpan(0, _union.Count);
        foreach (var sample in family.Samples)
        {
            if (sample.Kind == SampleKind.Created)
            {
                continue;
            }

            Fill(family, sample, _current);
            switch (definition)
            {
                case CounterDefinition counter:
                    if (Admit())
                    {
                        writer.Write(counter, sample.Value, labels);
                    }

                    break;
                case InfoDefinition info:
                    if (Admit())
                    {
                        writer.Write(info, labels);
                    }

                    break;
                case StateSetDefinition stateSet:
                    var state = family.LabelValue(sample, family.Name);
                    if (state is null)
                    {
                        OnMalformedLine(sample.LineNumber, $"state set sample without its '{family.Name}' label", default);
                    }
                    else if (Admit())
                    {
                        writer.Write(stateSet, state, sample.Value != 0, labels);
                    }

                    break;
                case GaugeDefinition gauge:
                    if (Admit())
                    {
                        writer.Write(gauge, sample.Value, labels);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Walks a histogram's or summary's samples series by series: each series' points (<c>le</c> buckets or
    /// <c>quantile</c> values), sum and count are gathered, then written as one sample when the next series begins.
    /// </summary>
    private void WriteCompound(ParsedFamily family, MetricDefinition definition, MetricWriter writer)
    {
        var histogram = definition as HistogramDefinition;
        var summary = definition as SummaryDefinition;
        var (pointKind, boundLabel) = histogram is not null ? (SampleKind.Bucket, "le") : (SampleKind.Plain, "quantile");
        var open = false;
        double sum = double.NaN, count = double.NaN;
        foreach (var sample in family.Samples)
        {
            if (sample.Kind == SampleKind.Created)
            {
                continue;
            }

            Fill(family, sample, _candidate);
            if (!open || !SameSeries())
            {
                if (open)
                {
                    Flush(sample.LineNumber);
                }

                (_current, _candidate) = (_candidate, _current);
                open = true;
                sum = count = double.NaN;
                _buckets.Clear();
                _quantiles.Clear();
            }

            if (sample.Kind == pointKind)
            {
                var text = family.LabelValue(sample, boundLabel);
                if (text is null || !TryParseBound(text, out var bound))
                {
                    OnMalformedLine(sample.LineNumber, histogram is not null ? "histogram bucket without a numeric 'le' label" : "summary sample without a numeric 'quantile' label", default);
                }
                else if (histogram is not null)
                {
                    _buckets.Add(new HistogramBucket(bound, sample.Value));
                }
                else
                {
                    _quantiles.Add(new SummaryQuantile(bound, sample.Value));
                }
            }
            else if (sample.Kind == SampleKind.Sum)
            {
                sum = sample.Value;
            }
            else if (sample.Kind == SampleKind.Count)
            {
                count = sample.Value;
            }
        }

        if (open)
        {
            Flush(family.Samples[^1].LineNumber);
        }

        void Flush(int line)
        {
            if (histogram is not null)
            {
                FlushHistogram(histogram, writer, sum, count, line);
            }
            else
            {
                FlushSummary(summary!, writer, sum, count, line);
            }
        }
    }

    private void FlushHistogram(HistogramDefinition definition, MetricWriter writer, double sum, double count, int line)
    {
        if (double.IsNaN(count) && _buckets.Count > 0 && double.IsPositiveInfinity(_buckets[^1].UpperBound))
        {
            count = _buckets[^1].CumulativeCount;
        }

        if (double.IsNaN(count))
        {
            OnMalformedLine(line, $"histogram series of {definition.Name} has no count", default);
            return;
        }

        if (Admit())
        {
            writer.Write(definition, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_buckets), sum, count, _current.AsSpan(0, _union.Count));
        }
    }

    private void FlushSummary(SummaryDefinition definition, MetricWriter writer, double sum, double count, int line)
    {
        if (double.IsNaN(count))
        {
            OnMalformedLine(line, $"summary series of {definition.Name} has no count", default);
            return;
        }

        if (Admit())
        {
            writer.Write(definition, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_quantiles), sum, count, _current.AsSpan(0, _union.Count));
        }
    }
}
