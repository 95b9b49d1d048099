namespace Exporters.Hosting.Scraping;

/// <summary>One scrape of an instance's configured target, as the status page charts it.</summary>
/// <param name="Finished">When it finished.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Success">Whether the collector finished in time without throwing.</param>
/// <param name="TargetUp">The collector's up metric in this scrape, or null when it has none.</param>
/// <param name="Series">Series the scrape produced.</param>
internal readonly record struct ScrapeRecord(DateTimeOffset Finished, TimeSpan Duration, bool Success, double? TargetUp, int Series)
{
    /// <summary>Whether the scrape failed or its target did not answer.</summary>
    public bool TargetDown => !Success || TargetUp is <= 0;
}

/// <summary>
/// The last scrapes of one instance's configured target (not probes, not cache hits), oldest first, in a fixed-size
/// ring: a few kilobytes per instance whatever the uptime.
/// </summary>
internal sealed class ScrapeHistory
{
    /// <summary>How many scrapes are kept.</summary>
    public const int Capacity = 60;

    private readonly object _gate = new();
    private readonly ScrapeRecord[] _ring = new ScrapeRecord[Capacity];
    private int _next;
    private int _count;
    private long _cacheHits;

    /// <summary>Requests answered from the <c>min_interval</c> cache since start.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Adds a scrape, dropping the oldest when full.</summary>
    /// <param name="outcome">The outcome of a scrape of the configured target.</param>
    public void Add(ScrapeOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var record = new ScrapeRecord(
            outcome.Finished,
            outcome.Duration,
            outcome.Success,
            outcome.TargetUp,
            outcome.Batch.SeriesCount + (outcome.HostBatch?.SeriesCount ?? 0));
        Add(record);
    }

    /// <summary>Adds a record, dropping the oldest when full.</summary>
    /// <param name="record">The record.</param>
    public void Add(ScrapeRecord record)
    {
        lock (_gate)
        {
            _ring[_next] = record;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <summary>Counts a request answered from the <c>min_interval</c> cache.</summary>
    public void CountCacheHit() => Interlocked.Increment(ref _cacheHits);

    /// <summary>The scrapes kept, oldest first.</summary>
    /// <returns>A copy.</returns>
    public ScrapeRecord[] Snapshot()
    {
        lock (_gate)
        {
            var copy = new ScrapeRecord[_count];
            var start = (_next - _count + Capacity) % Capacity;
            for (var i = 0; i < _count; i++)
            {
                copy[i] = _ring[(start + i) % Capacity];
            }

            return copy;
        }
    }
}
