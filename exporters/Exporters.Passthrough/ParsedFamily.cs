namespace Exporters.Passthrough;

/// <summary>The type a family declared in its <c># TYPE</c> line (or <see cref="Untyped"/> without one).</summary>
public enum ParsedType
{
    /// <summary>No <c># TYPE</c> line (text), or <c>untyped</c>.</summary>
    Untyped,

    /// <summary>OpenMetrics <c>unknown</c>.</summary>
    Unknown,

    /// <summary>A gauge.</summary>
    Gauge,

    /// <summary>A counter.</summary>
    Counter,

    /// <summary>A histogram.</summary>
    Histogram,

    /// <summary>An OpenMetrics gauge histogram.</summary>
    GaugeHistogram,

    /// <summary>A summary.</summary>
    Summary,

    /// <summary>An OpenMetrics info family.</summary>
    Info,

    /// <summary>An OpenMetrics state set.</summary>
    StateSet,
}

/// <summary>Which sample of its family a line is, from the suffix of its name.</summary>
public enum SampleKind
{
    /// <summary>The sample name equals the family name (gauges, untyped, text counters, summary quantiles, state sets).</summary>
    Plain,

    /// <summary><c>_total</c> of an OpenMetrics counter.</summary>
    Total,

    /// <summary><c>_created</c>.</summary>
    Created,

    /// <summary><c>_bucket</c>.</summary>
    Bucket,

    /// <summary><c>_sum</c>.</summary>
    Sum,

    /// <summary><c>_count</c>.</summary>
    Count,

    /// <summary><c>_gsum</c> of a gauge histogram.</summary>
    GaugeSum,

    /// <summary><c>_gcount</c> of a gauge histogram.</summary>
    GaugeCount,

    /// <summary><c>_info</c> of an OpenMetrics info family.</summary>
    Info,
}

/// <summary>One parsed sample; its labels are <see cref="ParsedFamily.LabelNames(in ParsedSample)"/> and <see cref="ParsedFamily.LabelValues(in ParsedSample)"/>.</summary>
/// <param name="Kind">Which sample of the family it is.</param>
/// <param name="LabelStart">Index of its first label in the family's label arrays.</param>
/// <param name="LabelCount">How many labels it has.</param>
/// <param name="Value">The value.</param>
/// <param name="LineNumber">The line it came from (1-based), for reporting.</param>
public readonly record struct ParsedSample(SampleKind Kind, int LabelStart, int LabelCount, double Value, int LineNumber);

/// <summary>
/// One family as the parser read it: metadata and samples in document order. The parser reuses one instance for
/// every family, so a sink must copy what it keeps before returning.
/// </summary>
public sealed class ParsedFamily
{
    private readonly List<ParsedSample> _samples = [];
    private string[] _labelNames = new string[64];
    private string[] _labelValues = new string[64];
    private int _labelLength;

    /// <summary>The family name as declared: in OpenMetrics without <c>_total</c> or <c>_info</c>; in the text format the sample name of counters.</summary>
    public string Name { get; internal set; } = string.Empty;

    /// <summary>The declared type.</summary>
    public ParsedType Type { get; internal set; }

    /// <summary>The help text, unescaped, or <see langword="null"/>.</summary>
    public string? Help { get; internal set; }

    /// <summary>The OpenMetrics unit, or <see langword="null"/>.</summary>
    public string? Unit { get; internal set; }

    /// <summary>The samples, in document order.</summary>
    public IReadOnlyList<ParsedSample> Samples => _samples;

    /// <summary>The label names of <paramref name="sample"/>, in document order.</summary>
    /// <param name="sample">A sample of this family.</param>
    /// <returns>The names.</returns>
    public ReadOnlySpan<string> LabelNames(in ParsedSample sample) => _labelNames.AsSpan(sample.LabelStart, sample.LabelCount);

    /// <summary>The label values of <paramref name="sample"/>, in the order of <see cref="LabelNames(in ParsedSample)"/>.</summary>
    /// <param name="sample">A sample of this family.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<string> LabelValues(in ParsedSample sample) => _labelValues.AsSpan(sample.LabelStart, sample.LabelCount);

    /// <summary>The value of label <paramref name="name"/> of <paramref name="sample"/>, or <see langword="null"/>.</summary>
    /// <param name="sample">A sample of this family.</param>
    /// <param name="name">The label name.</param>
    /// <returns>The value.</returns>
    public string? LabelValue(in ParsedSample sample, string name)
    {
        var names = LabelNames(sample);
        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return _labelValues[sample.LabelStart + i];
            }
        }

        return null;
    }

    internal bool HasSamples => _samples.Count > 0;

    internal void Reset(string name, ParsedType type)
    {
        Name = name;
        Type = type;
        Help = null;
        Unit = null;
        _samples.Clear();
        Array.Clear(_labelNames, 0, _labelLength);
        Array.Clear(_labelValues, 0, _labelLength);
        _labelLength = 0;
    }

    internal int LabelLength => _labelLength;

    internal string LabelNameAt(int index) => _labelNames[index];

    internal void AddLabel(string name, string value)
    {
        if (_labelLength == _labelNames.Length)
        {
            Array.Resize(ref _labelNames, _labelNames.Length * 2);
            Array.Resize(ref _labelValues, _labelValues.Length * 2);
        }

        _labelNames[_labelLength] = name;
        _labelValues[_labelLength] = value;
        _labelLength++;
    }

    /// <summary>Forgets labels added after <paramref name="length"/> (a line that turned out malformed).</summary>
    internal void TruncateLabels(int length)
    {
        Array.Clear(_labelNames, length, _labelLength - length);
        Array.Clear(_labelValues, length, _labelLength - length);
        _labelLength = length;
    }

    internal void AddSample(ParsedSample sample) => _samples.Add(sample);
}
