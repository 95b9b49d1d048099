using Exporters.Abstractions.Metrics;

namespace Exporters.Hosting.Scraping;

/// <summary>The result of one scrape of one collector instance.</summary>
internal sealed record ScrapeOutcome
{
    /// <summary>What to render: the collector's batch on success; on failure only its up metric at 0.</summary>
    public required MetricBatch Batch { get; init; }

    /// <summary>Series the host adds on success (the up metric at 1 when the collector did not write it), or null.</summary>
    public MetricBatch? HostBatch { get; init; }

    /// <summary>Whether the collector finished in time without throwing.</summary>
    public required bool Success { get; init; }

    /// <summary>How long the scrape took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>When it finished.</summary>
    public required DateTimeOffset Finished { get; init; }

    /// <summary>Why it failed (secrets removed), or null.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The collector's up metric (<c>redis_up</c>, ...) in this scrape: whether the target answered, which a
    /// successful scrape can still report as 0. Null when the collector has no up metric.
    /// </summary>
    public double? TargetUp { get; init; }

    /// <summary>Whether the result was served from the <c>min_interval</c> cache.</summary>
    public bool FromCache { get; init; }

    /// <summary>Samples the writer rejected in this scrape.</summary>
    public int Rejected { get; init; }

    /// <summary>Series dropped by the series cap in this scrape.</summary>
    public int Dropped { get; init; }

    /// <summary>The target scraped, credentials removed.</summary>
    public string? Target { get; init; }
}
