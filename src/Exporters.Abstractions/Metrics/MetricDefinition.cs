namespace Exporters.Abstractions.Metrics;

/// <summary>
/// A metric family declared once: name, type, help, unit and label names. Every sample a collector writes is
/// checked against its definition, so a definition that constructs is a family that renders correctly in both
/// the Prometheus text format and OpenMetrics.
/// </summary>
/// <remarks>
/// Create definitions once (in a static field or the collector's constructor) and reuse them on every scrape:
/// validation happens here, not per sample.
/// </remarks>
public abstract class MetricDefinition
{
    private readonly string[] _labelNames;

    private protected MetricDefinition(MetricType type, string name, string help, IReadOnlyList<string>? labelNames, string? unit)
    {
        if (!MetricNames.IsValidMetricName(name))
        {
            throw new ArgumentException($"metric name '{name}' is not valid: it must match [a-zA-Z_:][a-zA-Z0-9_:]*", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(help);
        Type = type;
        Name = name;
        Help = help;
        _labelNames = labelNames is null ? [] : [.. labelNames];
        OpenMetricsName = OpenMetricsFamilyName(type, name);
        Names = TakenNames(type, name);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in _labelNames)
        {
            if (!MetricNames.IsValidLabelName(label))
            {
                throw new ArgumentException($"metric '{name}': label name '{label}' is not valid: it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with '__'", nameof(labelNames));
            }

            if (!seen.Add(label))
            {
                throw new ArgumentException($"metric '{name}': label name '{label}' is declared twice", nameof(labelNames));
            }

            var reserved = type switch
            {
                MetricType.Histogram => "le",
                MetricType.Summary => "quantile",
                MetricType.StateSet => name,
                _ => null,
            };
            if (label == reserved)
            {
                throw new ArgumentException($"metric '{name}': label name '{label}' is reserved for {type} samples", nameof(labelNames));
            }
        }

        if (unit is not null)
        {
            if (unit.Length == 0 || !MetricNames.IsValidLabelName(unit))
            {
                throw new ArgumentException($"metric '{name}': unit '{unit}' is not valid", nameof(unit));
            }

            if (!OpenMetricsName.EndsWith("_" + unit, StringComparison.Ordinal))
            {
                throw new ArgumentException($"metric '{name}': OpenMetrics requires the family name '{OpenMetricsName}' to end with its unit '_{unit}'", nameof(unit));
            }
        }

        Unit = unit;
    }

    /// <summary>The metric type.</summary>
    public MetricType Type { get; }

    /// <summary>
    /// The name users query: counters include <c>_total</c> where they have it, info families include <c>_info</c>.
    /// This is the family name in the text format.
    /// </summary>
    public string Name { get; }

    /// <summary>
    /// The family name in OpenMetrics: <see cref="Name"/> without the <c>_total</c> of a counter or the <c>_info</c>
    /// of an info family. For a counter whose name lacks <c>_total</c>, the same as <see cref="Name"/>.
    /// </summary>
    public string OpenMetricsName { get; }

    /// <summary>The help text (any characters; escaped on output).</summary>
    public string Help { get; }

    /// <summary>The unit, a suffix of the family name (for example <c>seconds</c>), or <see langword="null"/>.</summary>
    public string? Unit { get; }

    /// <summary>The label names every sample of the family carries, in order.</summary>
    public IReadOnlyList<string> LabelNames => _labelNames;

    /// <summary>
    /// The names the family takes in the output: its name and the names of its samples (<c>_bucket</c>,
    /// <c>_sum</c> and <c>_count</c> of histograms and summaries). Two families of one scrape must not share any of
    /// them: a gauge <c>x_sum</c> beside a summary <c>x</c> would be a duplicate series.
    /// </summary>
    /// <remarks>
    /// The OpenMetrics family name of a counter or info family (<see cref="OpenMetricsName"/>) is not included:
    /// client libraries expose a gauge <c>x</c> beside a counter <c>x_total</c> (<c>go_memstats_alloc_bytes</c> and
    /// <c>go_memstats_alloc_bytes_total</c>), which are different series, and refusing the pair would drop metrics
    /// dashboards use.
    /// </remarks>
    public IReadOnlyList<string> ExpositionNames => Names;

    internal int LabelCount => _labelNames.Length;

    /// <summary>The array behind <see cref="ExpositionNames"/>, for the writer to walk without an enumerator.</summary>
    internal string[] Names { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Type.ToString().ToLowerInvariant()} {Name}";

    private static string[] TakenNames(MetricType type, string name) => type switch
    {
        MetricType.Histogram => [name, name + "_bucket", name + "_sum", name + "_count"],
        MetricType.Summary => [name, name + "_sum", name + "_count"],
        _ => [name],
    };

    private static string OpenMetricsFamilyName(MetricType type, string name) => type switch
    {
        MetricType.Counter when name.EndsWith("_total", StringComparison.Ordinal) && name.Length > 6 => name[..^6],
        MetricType.Info when name.EndsWith("_info", StringComparison.Ordinal) && name.Length > 5 => name[..^5],
        MetricType.Info => throw new ArgumentException($"info metric '{name}' must end with '_info'", nameof(name)),
        _ => name,
    };
}

/// <summary>A gauge family: a value that can go up and down.</summary>
/// <param name="name">Family name.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Label names, in the order samples give their values.</param>
/// <param name="unit">Optional unit; must be a suffix of the name.</param>
public sealed class GaugeDefinition(string name, string help, IReadOnlyList<string>? labelNames = null, string? unit = null)
    : MetricDefinition(MetricType.Gauge, name, help, labelNames, unit);

/// <summary>
/// A counter family. Name it as users query it, normally ending in <c>_total</c>. A counter whose established
/// name lacks <c>_total</c> keeps that name; OpenMetrics output then types it <c>unknown</c> rather than renaming it.
/// </summary>
/// <param name="name">Family name.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Label names, in the order samples give their values.</param>
/// <param name="unit">Optional unit; must be a suffix of the name without <c>_total</c>.</param>
public sealed class CounterDefinition(string name, string help, IReadOnlyList<string>? labelNames = null, string? unit = null)
    : MetricDefinition(MetricType.Counter, name, help, labelNames, unit)
{
    /// <summary>Whether the name ends in <c>_total</c>, so OpenMetrics can type it as a counter without renaming it.</summary>
    public bool HasTotalSuffix => Name.Length != OpenMetricsName.Length;
}

/// <summary>An info family: constant-1 metadata carried in labels. The name must end in <c>_info</c>.</summary>
/// <param name="name">Family name ending in <c>_info</c>.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Label names, in the order samples give their values.</param>
public sealed class InfoDefinition(string name, string help, IReadOnlyList<string>? labelNames = null)
    : MetricDefinition(MetricType.Info, name, help, labelNames, unit: null);

/// <summary>
/// A state set: one series per state, labelled with the family name, value 1 for the states that hold.
/// In the text format it renders as a gauge.
/// </summary>
/// <param name="name">Family name; also the name of the state label.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Other label names, in the order samples give their values.</param>
public sealed class StateSetDefinition(string name, string help, IReadOnlyList<string>? labelNames = null)
    : MetricDefinition(MetricType.StateSet, name, help, labelNames, unit: null);

/// <summary>A histogram family: cumulative buckets (<c>le</c>), a sum and a count.</summary>
/// <param name="name">Family name.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Label names (not <c>le</c>).</param>
/// <param name="unit">Optional unit; must be a suffix of the name.</param>
public sealed class HistogramDefinition(string name, string help, IReadOnlyList<string>? labelNames = null, string? unit = null)
    : MetricDefinition(MetricType.Histogram, name, help, labelNames, unit);

/// <summary>A summary family: quantiles, a sum and a count.</summary>
/// <param name="name">Family name.</param>
/// <param name="help">Help text.</param>
/// <param name="labelNames">Label names (not <c>quantile</c>).</param>
/// <param name="unit">Optional unit; must be a suffix of the name.</param>
public sealed class SummaryDefinition(string name, string help, IReadOnlyList<string>? labelNames = null, string? unit = null)
    : MetricDefinition(MetricType.Summary, name, help, labelNames, unit)
{
    /// <summary>
    /// The largest quantile accepted: 1 by convention, 100 for a family whose quantile labels are percentiles
    /// (redis_exporter writes <c>quantile="99.9"</c>), kept for compatibility with queries written against it.
    /// </summary>
    public double MaxQuantile { get; init; } = 1;
}

/// <summary>One cumulative histogram bucket.</summary>
/// <param name="UpperBound">The bucket's inclusive upper bound (<c>le</c>).</param>
/// <param name="CumulativeCount">Observations less than or equal to the bound.</param>
public readonly record struct HistogramBucket(double UpperBound, double CumulativeCount);

/// <summary>One summary quantile.</summary>
/// <param name="Quantile">The quantile, between 0 and 1.</param>
/// <param name="Value">The observed value at that quantile.</param>
public readonly record struct SummaryQuantile(double Quantile, double Value);
