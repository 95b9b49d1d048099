namespace Exporters.Abstractions.Metrics;

/// <summary>
/// The samples one scrape recorded for one family, in a compact columnar layout that the exposition renderer
/// reads without allocating: label values in flat arrays, numeric payloads in others.
/// </summary>
/// <remarks>
/// <para>Payload per series: gauge and counter <c>[value]</c>; info <c>[]</c>; state set <c>[0 or 1]</c> with the state
/// appended as the last label value; histogram <c>[sum, count, le0, cumulative0, le1, cumulative1, ...]</c> ending
/// with the <c>+Inf</c> bucket; summary <c>[sum, count, q0, value0, q1, value1, ...]</c>.</para>
/// <para>Storage grows in chunks of at most 2,048 elements rather than by doubling one array:
/// a family of a hundred thousand series then never lands on the large object heap (which only a full collection
/// reclaims) and growing it leaves no discarded copies behind.</para>
/// </remarks>
public sealed class MetricFamilyData
{
    /// <summary>Elements per chunk: 16 KiB of references or doubles, far below the large object heap threshold (85,000 bytes), so a family wastes at most that much in its last chunk.</summary>
    private const int ChunkElements = 2048;

    private const int MaxLoadPercent = 70;

    /// <summary>
    /// Families up to this many series find duplicates by comparing with each series instead of through a table:
    /// most families of a scrape hold one or a few series, and the table would cost more than the family itself.
    /// </summary>
    private const int LinearSearchLimit = 8;

    private readonly int _labelsPerSeries;

    /// <summary>Payload length of every series, or -1 when it varies (histograms and summaries).</summary>
    private readonly int _fixedWidth;

    /// <summary>log2 of the series held by one label chunk.</summary>
    private readonly int _labelShift;

    /// <summary>log2 of the series held by one payload chunk (fixed-width payloads only).</summary>
    private readonly int _payloadShift;

    // Most families of a scrape fit one chunk, so the first chunk is a field and the list exists only past it.
    private Chunks<string> _labelChunks;
    private Chunks<double> _payloadChunks;

    // Variable-width payloads (histograms, summaries): few series with many numbers each, kept in one array.
    private double[]? _variablePayload;
    private int[]? _variableStart;
    private int _variableLength;

    // Duplicate detection: an open-addressing table of series index + 1 (0 = empty), split into chunks like the data.
    private int[][]? _slots;
    private int _slotMask;
    private int _slotChunkShift;

    internal MetricFamilyData(MetricDefinition definition)
    {
        Definition = definition;
        _labelsPerSeries = definition.LabelCount + (definition.Type == MetricType.StateSet ? 1 : 0);
        _fixedWidth = definition.Type switch
        {
            MetricType.Info => 0,
            MetricType.Histogram or MetricType.Summary => -1,
            _ => 1,
        };
        _labelShift = _labelsPerSeries == 0 ? 30 : ShiftFor(_labelsPerSeries);
        _payloadShift = _fixedWidth <= 0 ? 30 : ShiftFor(_fixedWidth);
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
        return Labels(series);
    }

    /// <summary>The numeric payload of series <paramref name="series"/> (layout in the type's remarks).</summary>
    /// <param name="series">Series index, from 0 to <see cref="SeriesCount"/> - 1.</param>
    /// <returns>The payload.</returns>
    public ReadOnlySpan<double> GetPayload(int series)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        if (_fixedWidth < 0)
        {
            var start = _variableStart![series];
            return _variablePayload.AsSpan(start, _variableStart[series + 1] - start);
        }

        if (_fixedWidth == 0)
        {
            return [];
        }

        var mask = (1 << _payloadShift) - 1;
        return _payloadChunks.At(series >> _payloadShift).AsSpan((series & mask) * _fixedWidth, _fixedWidth);
    }

    /// <summary>Appends a series; returns <see langword="false"/> (and keeps nothing) when an equal label set exists.</summary>
    internal bool TryAdd(ReadOnlySpan<string> labelValues, string? extraLabel, ReadOnlySpan<double> payload)
    {
        var series = SeriesCount;
        if (_labelsPerSeries == 0)
        {
            if (series > 0)
            {
                return false;
            }
        }
        else
        {
            var target = Reserve(ref _labelChunks, series, _labelShift, _labelsPerSeries).AsSpan(Offset(series, _labelShift, _labelsPerSeries), _labelsPerSeries);
            for (var i = 0; i < labelValues.Length; i++)
            {
                target[i] = labelValues[i] ?? string.Empty;
            }

            if (extraLabel is not null)
            {
                target[^1] = extraLabel;
            }

            if (!TryIndex(series, target))
            {
                target.Clear();
                return false;
            }
        }

        if (_fixedWidth < 0)
        {
            AppendVariable(series, payload);
        }
        else if (_fixedWidth > 0)
        {
            var chunk = Reserve(ref _payloadChunks, series, _payloadShift, _fixedWidth);
            payload[.._fixedWidth].CopyTo(chunk.AsSpan(Offset(series, _payloadShift, _fixedWidth)));
        }

        SeriesCount = series + 1;
        return true;
    }

    /// <summary>Drops the duplicate-detection table once writing is over; a later write rebuilds it.</summary>
    internal void ReleaseIndex() => _slots = null;

    /// <summary>log2 of the number of series whose <paramref name="width"/> elements fill one chunk.</summary>
    private static int ShiftFor(int width)
    {
        var shift = 0;
        while (shift < 30 && (2L << shift) * width <= ChunkElements)
        {
            shift++;
        }

        return shift;
    }

    private static int Offset(int series, int shift, int width) => (series & ((1 << shift) - 1)) * width;

    /// <summary>
    /// The chunk that holds <paramref name="series"/>, allocating it when needed. The first chunk starts small and
    /// doubles up to full size, so a family of one series costs a few elements; later chunks are allocated full.
    /// </summary>
    private static T[] Reserve<T>(ref Chunks<T> chunks, int series, int shift, int width)
    {
        var index = series >> shift;
        var needed = Offset(series, shift, width) + width;
        if (index < chunks.Count)
        {
            var chunk = chunks.At(index);
            if (chunk.Length < needed)
            {
                var full = (1 << shift) * width;
                Array.Resize(ref chunk, Math.Min(full, Math.Max(needed, chunk.Length * 2)));
                chunks.Replace(index, chunk);
            }

            return chunk;
        }

        var fresh = new T[index == 0 ? Math.Min((1 << shift) * width, Math.Max(needed, 4 * width)) : (1 << shift) * width];
        chunks.Add(fresh);
        return fresh;
    }

    private ReadOnlySpan<string> Labels(int series) =>
        _labelsPerSeries == 0
            ? []
            : _labelChunks.At(series >> _labelShift).AsSpan(Offset(series, _labelShift, _labelsPerSeries), _labelsPerSeries);

    private void AppendVariable(int series, ReadOnlySpan<double> payload)
    {
        _variablePayload ??= new double[Math.Max(4, payload.Length)];
        _variableStart ??= new int[5];
        Grow(ref _variablePayload, _variableLength + payload.Length);
        Grow(ref _variableStart, series + 2);
        payload.CopyTo(_variablePayload.AsSpan(_variableLength));
        _variableLength += payload.Length;
        _variableStart[series + 1] = _variableLength;
    }

    private static void Grow<T>(ref T[] array, int needed)
    {
        if (array.Length < needed)
        {
            Array.Resize(ref array, Math.Max(needed, array.Length * 2));
        }
    }

    /// <summary>Adds <paramref name="series"/> (already stored) to the table unless an equal label set is there.</summary>
    private bool TryIndex(int series, ReadOnlySpan<string> labels)
    {
        if (_slots is null && series < LinearSearchLimit)
        {
            for (var existing = 0; existing < series; existing++)
            {
                if (SameLabels(Labels(existing), labels))
                {
                    return false;
                }
            }

            return true;
        }

        if (_slots is null)
        {
            Rebuild(Math.Max(8, series + 1));
        }
        else if ((long)(series + 1) * 100 > (long)(_slotMask + 1) * MaxLoadPercent)
        {
            Rebuild(series + 1);
        }

        var slot = Hash(labels) & _slotMask;
        while (true)
        {
            ref var entry = ref Slot(slot);
            if (entry == 0)
            {
                entry = series + 1;
                return true;
            }

            if (SameLabels(Labels(entry - 1), labels))
            {
                return false;
            }

            slot = (slot + 1) & _slotMask;
        }
    }

    /// <summary>Re-creates the table with room for <paramref name="series"/> series and indexes the existing ones.</summary>
    private void Rebuild(int series)
    {
        var size = 16;
        while ((long)series * 100 > (long)size * MaxLoadPercent)
        {
            size *= 2;
        }

        var chunkSize = Math.Min(size, ChunkElements);
        var slots = new int[size / chunkSize][];
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i] = new int[chunkSize];
        }

        _slots = slots;
        _slotMask = size - 1;
        _slotChunkShift = System.Numerics.BitOperations.Log2((uint)chunkSize);
        for (var existing = 0; existing < SeriesCount; existing++)
        {
            var slot = Hash(Labels(existing)) & _slotMask;
            while (Slot(slot) != 0)
            {
                slot = (slot + 1) & _slotMask;
            }

            Slot(slot) = existing + 1;
        }
    }

    private ref int Slot(int slot)
    {
        var chunk = _slots![slot >> _slotChunkShift];
        return ref chunk[slot & (chunk.Length - 1)];
    }

    private static int Hash(ReadOnlySpan<string> labels)
    {
        var hash = default(HashCode);
        foreach (var value in labels)
        {
            hash.Add(string.GetHashCode(value.AsSpan()));
        }

        return hash.ToHashCode();
    }

    private static bool SameLabels(ReadOnlySpan<string> a, ReadOnlySpan<string> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A family's chunks of one kind: the first in a field, the rest in a list made when a second is needed.</summary>
    private struct Chunks<T>
    {
        private T[]? _first;
        private List<T[]>? _rest;

        public readonly int Count => _first is null ? 0 : 1 + (_rest?.Count ?? 0);

        public readonly T[] At(int index) => index == 0 ? _first! : _rest![index - 1];

        public void Replace(int index, T[] chunk)
        {
            if (index == 0)
            {
                _first = chunk;
            }
            else
            {
                _rest![index - 1] = chunk;
            }
        }

        public void Add(T[] chunk)
        {
            if (_first is null)
            {
                _first = chunk;
            }
            else
            {
                (_rest ??= []).Add(chunk);
            }
        }
    }
}
