namespace Exporters.Host.Scraping;

/// <summary>Counts scrape requests in progress, from the first byte read to the last byte written.</summary>
public sealed class ScrapeActivity
{
    private int _inFlight;
    private long _completed;

    /// <summary>Scrapes being served now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Scrapes served since start.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Marks the start of a scrape.</summary>
    public void Enter() => Interlocked.Increment(ref _inFlight);

    /// <summary>Marks the end of a scrape started with <see cref="Enter"/>.</summary>
    public void Exit()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _completed);
    }
}
