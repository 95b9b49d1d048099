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

    /// <summary>Cancelled when <see cref="Deadline"/> passes. Pass it to every I/O call.</summary>
    public required CancellationToken CancellationToken { get; init; }

    /// <summary>A logger for this collector instance. Never log secrets.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The clock; use it instead of <see cref="DateTime.UtcNow"/> so tests control time.</summary>
    public required TimeProvider TimeProvider { get; init; }

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
