namespace Exporters.Abstractions.Metrics;

/// <summary>
/// Everything one collector wrote in one scrape, family by family in first-write order. A batch is immutable once
/// the collector's <c>CollectAsync</c> has returned, so the host may render it any number of times, in any format.
/// </summary>
public sealed class MetricBatch
{
    private readonly List<MetricFamilyData> _families;

    /// <summary>Creates an empty batch.</summary>
    public MetricBatch()
        : this(0)
    {
    }

    internal MetricBatch(int capacity) => _families = new(capacity);

    /// <summary>The families, in the order they were first written.</summary>
    public IReadOnlyList<MetricFamilyData> Families => _families;

    /// <summary>The total number of series across families.</summary>
    public int SeriesCount { get; internal set; }

    internal void Add(MetricFamilyData family) => _families.Add(family);

    internal void RemoveFirst(int count)
    {
        for (var i = 0; i < count; i++)
        {
            SeriesCount -= _families[i].SeriesCount;
        }

        _families.RemoveRange(0, count);
    }
}
