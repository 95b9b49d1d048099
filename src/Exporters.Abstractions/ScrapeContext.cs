using Microsoft.Extensions.Logging;

namespace Exporters.Abstractions;

/// <summary>What a collector is given for one scrape.</summary>
public sealed class ScrapeContext
{
    /// <summary>The collector instance's name (the key of its configuration section).</summary>
    public required string CollectorName { get; init; }

    /// <summary>
    /// The target to scrape: the configured one (<see cref="CollectorOptions.GetTarget"/>), or the one a
    /// <c>/probe?target=</c> request gave, already checked against the probe allow-list.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>Whether <see cref="Target"/> came from a <c>/probe</c> request rather than configuration.</summary>
    public bool IsProbe { get; init; }

    /// <summary>
    /// The other query parameters of the <c>/probe</c> request (all but <c>target</c>, <c>collector</c> and
    /// <c>format</c>), for collectors that take settings per request, as elasticsearch_exporter's
    /// <c>auth_module</c> or redis_exporter's <c>check-keys</c>. Empty for scrapes of the configured target. A
    /// collector should fail the scrape, naming the parameter, for one it does not know or whose value is invalid.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProbeParameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The absolute deadline: the smaller of the configured timeout and Prometheus' scrape timeout less a margin.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>Cancelled when <see cref="Deadline"/> passes. Whatever is still running then is discarded.</summary>
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Cancelled at <see cref="FetchDeadline"/>, a little before <see cref="Deadline"/>. Pass it to the calls that wait
    /// on the target: when it fires, the collector still has time to write its up metric as 0 (and whatever else it
    /// has) and return, instead of having the whole scrape discarded at the deadline.
    /// </summary>
    public CancellationToken FetchCancellationToken { get; init; }

    /// <summary>When <see cref="FetchCancellationToken"/> fires: the deadline less <see cref="ReserveFor"/> of the scrape's budget.</summary>
    public DateTimeOffset FetchDeadline { get; init; }

    /// <summary>A logger for this collector instance. Never log secrets.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The clock; use it instead of <see cref="DateTime.UtcNow"/> so tests control time.</summary>
    public required TimeProvider TimeProvider { get; init; }

    /// <summary>The most kept back between <see cref="FetchDeadline"/> and <see cref="Deadline"/>.</summary>
    public static readonly TimeSpan MaxFetchReserve = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The time kept back from a scrape's <paramref name="budget"/> for writing after the fetch gives up: a fifth of the
    /// budget, at most <see cref="MaxFetchReserve"/>. Writing takes microseconds; the rest absorbs scheduling delays on a
    /// busy node, which would otherwise make the host discard the whole scrape.
    /// </summary>
    /// <param name="budget">The time the scrape was given.</param>
    /// <returns>The reserve.</returns>
    public static TimeSpan ReserveFor(TimeSpan budget) =>
        budget <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(MaxFetchReserve.Ticks, budget.Ticks / 5));

    /// <summary>Time left until <see cref="FetchDeadline"/> (zero when it has passed).</summary>
    public TimeSpan FetchRemaining
    {
        get
        {
            var left = FetchDeadline - TimeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Time left until <see cref="Deadline"/> (zero when it has passed).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Deadline - TimeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }
}
