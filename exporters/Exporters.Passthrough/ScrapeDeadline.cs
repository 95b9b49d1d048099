using Exporters.Abstractions;

namespace Exporters.Passthrough;

/// <summary>
/// A token that fires a little before the host's deadline, so a collector whose target is slow still has time to
/// write its up metric as 0 and return, instead of having its whole scrape discarded.
/// </summary>
public static class ScrapeDeadline
{
    /// <summary>
    /// The most kept back for writing after the fetch gives up. Writing takes microseconds; the rest absorbs
    /// scheduling delays on a busy node, which would otherwise make the host discard the whole scrape.
    /// </summary>
    public static readonly TimeSpan MaxReserve = TimeSpan.FromMilliseconds(500);

    /// <summary>Creates a source linked to the scrape's token that cancels early by a fifth of the time left (at most <see cref="MaxReserve"/>).</summary>
    /// <param name="context">The scrape.</param>
    /// <returns>The source; dispose it.</returns>
    public static CancellationTokenSource Create(ScrapeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remaining = context.Remaining;
        var reserve = TimeSpan.FromTicks(Math.Min(MaxReserve.Ticks, remaining.Ticks / 5));
        var source = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        source.CancelAfter(remaining - reserve);
        return source;
    }
}
