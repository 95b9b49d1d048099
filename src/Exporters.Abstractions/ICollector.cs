using Exporters.Abstractions.Metrics;

namespace Exporters.Abstractions;

/// <summary>
/// One configured collector instance. The host calls <see cref="CollectAsync"/> once per scrape and renders what it
/// wrote. Calls on one instance never overlap: concurrent requests share one call (single flight) or wait their turn.
/// </summary>
/// <remarks>
/// If the collector implements <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>, the host disposes it when
/// a configuration reload replaces it and at shutdown. Connections to the target may be kept open between scrapes.
/// </remarks>
public interface ICollector
{
    /// <summary>
    /// Fetches from the target and writes metric families. Throwing, or not finishing before
    /// <see cref="ScrapeContext.Deadline"/>, discards everything written in this call: the host then reports
    /// <c>exporter_collector_success 0</c> and the collector's up metric as 0.
    /// </summary>
    /// <param name="context">The target, deadline, logger and clock for this scrape.</param>
    /// <param name="writer">Where samples go; checked against their definitions.</param>
    /// <returns>A task that completes when the scrape is written.</returns>
    Task CollectAsync(ScrapeContext context, MetricWriter writer);
}
