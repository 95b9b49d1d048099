namespace Exporters.Hosting.Scraping;

/// <summary>
/// Counts scrape requests in progress, from the first byte read to the last byte written: the one count behind
/// <c>--web.max-requests</c> and behind the memory releaser's wait for a moment without scrapes.
/// </summary>
internal sealed class ScrapeActivity
{
    private int _inFlight;
    private Action? _quiet;

    /// <summary>Scrapes being served now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Starts a scrape unless <paramref name="limit"/> scrapes are already in progress.</summary>
    /// <param name="limit">The most scrapes at once; 0 or less for no limit.</param>
    /// <returns>True when the scrape may go ahead; it must then be ended with <see cref="Exit"/>.</returns>
    public bool TryEnter(int limit)
    {
        if (Interlocked.Increment(ref _inFlight) <= limit || limit <= 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Ends a scrape started with <see cref="TryEnter"/>.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            Volatile.Read(ref _quiet)?.Invoke();
        }
    }

    /// <summary>
    /// Calls <paramref name="callback"/> whenever the last scrape in progress ends, on the thread that ended it (the
    /// callback hands anything slow to another thread).
    /// </summary>
    /// <param name="callback">What to call.</param>
    public void OnQuiet(Action callback) => Volatile.Write(ref _quiet, (Action?)Delegate.Combine(_quiet, callback));
}
