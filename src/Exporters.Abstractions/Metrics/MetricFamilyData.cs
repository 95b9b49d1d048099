using System.Runtime.InteropServices;

namespace Exporters.Abstractions.Metrics;

/// <summary>
/// The samples one scrape recorded for one family, in a compact columnar layout that the exposition renderer
/// reads without allocating: label values in one flat array, numeric payloads in another.
/// </summary>
/// <remarks>
/// Payload per series: gauge and counter <c>[value]</c>; info <c>[]</c>; state set <c>[0 or 1]</c> with the state
/// appended as the last label value; histogram <c>[sum, count, le0, cumulative0, le1, cumulative1, ...]</c> ending
/// with the <c>+Inf</c> bucket; summary <c>[sum, count, q0, value0, q1, value1, ...]</c>.
/// </remarks>
public sealed class MetricFamilyData
{
    private readonly int _labelsPerSeries;
    private string[] _labelValues;
    private double[] _payload;
    private int[] _payloadStart;
    private int _labelLength;
    private int _payloadLength;
    private HashSet<int>? _seriesKeys;

    internal MetricFamilyData(MetricDefinition definition)
    {
        Definition = definition;
        _labelsPerSeries = definition.LabelCount + (definition.Type == MetricType.StateSet ? 1 : 0);
        _labelValues = _labelsPerSeries == 0 ? [] : new string[_labelsPerSeries * 4];
        _payload = new double[4];
        _payloadStart = new int[5];
    }

    /// <summary>The family's definition.</summary>
    public MetricDefinition Definition { get; }

    /// <summary>How many series the family holds.</summary>
    public int SeriesCount { get; private set; }

    /// <summary>The label values of series <paramref name="series"/>, in <see cref="MetricDefinition.LabelNames"/> order (state sets append the state).</summary>
    /// <param name="series">Series index, from 0 to <see cref="SeriesCount"/> - 1.</param>
    /// <returns>The label values.</returns>
    public ReadOnlySpan<string> GetLabelValues(int series)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        return _labelValues.AsSpan(series * _labelsPerSeries, _labelsPerSeries);
    }

    /// <summary>The numeric payload of series <paramref name="series"/> (layout in the type's remarks).</summary>
    /// <param name="series">Series index, from 0 to <see cref="SeriesCount"/> - 1.</param>
    /// <returns>The payload.</returns>
    public ReadOnlySpan<double> GetPayload(int series)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        var start = _payloadStart[series];
        return _payload.AsSpan(start, _payloadStart[series + 1] - start);
    }

    /// <summary>Appends a series; returns <see langword="false"/> (and keeps nothing) when an equal label set exists.</summary>
    internal bool TryAdd(ReadOnlySpan<string> labelValues, string? extraLabel, ReadOnlySpan<double> payload)
    {
        var series = SeriesCount;
        if (_labelsPerSeries > 0)
        {
            EnsureCapacity(ref _labelValues, _labelLength + _labelsPerSeries);
            var target = _labelValues.AsSpan(_labelLength, _labelsPerSeries);
            for (var i = 0; i < labelValues.Length; i++)
            {
                target[i] = labelValues[i] ?? string.Empty;
            }

            if (extraLabel is not null)
            {
                target[^1] = extraLabel;
            }
        }
        else if (series > 0)
        {
            return false;
        }

        EnsureCapacity(ref _payload, _payloadLength + payload.Length);
        EnsureCapacity(ref _payloadStart, series + 2);
        payload.CopyTo(_payload.AsSpan(_payloadLength));
        _payloadStart[series + 1] = _payloadLength + payload.Length;
        SeriesCount = series + 1;

        if (_labelsPerSeries > 0)
        {
            _seriesKeys ??= new HashSet<int>(new SeriesKeyComparer(this));
            if (!_seriesKeys.Add(series))
            {
                SeriesCount = series;
                Array.Clear(_labelValues, _labelLength, _labelsPerSeries);
                return false;
            }

            _labelLength += _labelsPerSeries;
        }

        _payloadLength += payload.Length;
        return true;
    }

    private static void EnsureCapacity<T>(ref T[] array, int needed)
    {
        if (array.Length < needed)
        {
            Array.Resize(ref array, Math.Max(needed, array.Length * 2));
        }
    }

    /// <summary>Compares series by label values in place, so duplicate detection allocates nothing per sample.</summary>
    private sealed class SeriesKeyComparer(MetricFamilyData family) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y)
        {
            var a = Labels(x);
            var b = Labels(y);
            for (var i = 0; i < a.Length; i++)
            {
                if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(int obj)
        {
            var hash = new HashCode();
            foreach (var value in Labels(obj))
            {
                hash.Add(value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }

        private ReadOnlySpan<string> Labels(int series) =>
            MemoryMarshal.CreateReadOnlySpan(ref family._labelValues[series * family._labelsPerSeries], family._labelsPerSeries);
    }
}
