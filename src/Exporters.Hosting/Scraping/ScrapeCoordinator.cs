using Exporters.Abstractions.Metrics;
using Exporters.Exposition;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.SelfMetrics;

namespace Exporters.Hosting.Scraping;

/// <summary>Runs the collectors a request asks for, concurrently and each within its deadline, and assembles the document.</summary>
/// <param name="manager">The runtime manager.</param>
/// <param name="settings">Process settings.</param>
internal sealed class ScrapeCoordinator(RuntimeManager manager, HostSettings settings)
{
    /// <summary>
    /// The time a scrape may take: the instance's timeout, shortened to Prometheus' scrape timeout (from the
    /// <c>X-Prometheus-Scrape-Timeout-Seconds</c> header) less the configured margin.
    /// </summary>
    /// <param name="instanceTimeout">The instance's configured timeout.</param>
    /// <param name="scrapeTimeoutHeader">The header value, or null.</param>
    /// <param name="margin">The safety margin.</param>
    /// <returns>The budget.</returns>
    public static TimeSpan Budget(TimeSpan instanceTimeout, string? scrapeTimeoutHeader, TimeSpan margin)
    {
        if (scrapeTimeoutHeader is null
            || !double.TryParse(scrapeTimeoutHeader, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || !(seconds > 0))
        {
            return instanceTimeout;
        }

        var prometheus = TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));

        // With a margin as large as the timeout itself, keep a fifth of the timeout back instead.
        var allowed = prometheus > margin * 2 ? prometheus - margin : prometheus * 0.8;
        return allowed < instanceTimeout ? allowed : instanceTimeout;
    }

    /// <summary>Scrapes <paramref name="instances"/> (all when null) and builds the document to render.</summary>
    /// <param name="instances">The instances, or null for every enabled one.</param>
    /// <param name="scrapeTimeoutHeader">Prometheus' scrape timeout header, or null.</param>
    /// <param name="includeHostMetrics">Whether to add build, configuration, process and runtime metrics.</param>
    /// <param name="aborted">Cancelled when the request goes away.</param>
    /// <returns>The document.</returns>
    public async Task<ExpositionDocument> ScrapeAsync(IReadOnlyList<CollectorInstance>? instances, string? scrapeTimeoutHeader, bool includeHostMetrics, CancellationToken aborted)
    {
        var runtime = manager.Current;
        instances ??= runtime.Instances;
        var outcomes = await Task.WhenAll(instances.Select(instance =>
            instance.ScrapeAsync(Budget(instance.Configuration.Options.Timeout, scrapeTimeoutHeader, settings.ScrapeTimeoutMargin), null, aborted)));
        var results = instances.Zip(outcomes).ToList();
        return Assemble(results, includeHostMetrics);
    }

    /// <summary>Scrapes <paramref name="target"/> with <paramref name="instance"/>'s collector and options (<c>/probe</c>).</summary>
    /// <param name="instance">The instance whose options apply.</param>
    /// <param name="target">The target, already allowed.</param>
    /// <param name="scrapeTimeoutHeader">Prometheus' scrape timeout header, or null.</param>
    /// <param name="aborted">Cancelled when the request goes away.</param>
    /// <param name="parameters">The probe request's other query parameters.</param>
    /// <returns>The document.</returns>
    public async Task<ExpositionDocument> ProbeAsync(CollectorInstance instance, string target, string? scrapeTimeoutHeader, CancellationToken aborted, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var outcome = await instance.ScrapeAsync(Budget(instance.Configuration.Options.Timeout, scrapeTimeoutHeader, settings.ScrapeTimeoutMargin), target, aborted, parameters);
        return Assemble([(instance, outcome)], includeHostMetrics: false);
    }

    private ExpositionDocument Assemble(List<(CollectorInstance Instance, ScrapeOutcome Outcome)> results, bool includeHostMetrics)
    {
        var sources = new List<ExpositionSource>(results.Count * 2 + 1);
        foreach (var (instance, outcome) in results)
        {
            sources.Add(new ExpositionSource(outcome.Batch, instance.ConstantLabels, instance.HelpSuffix));
            if (outcome.HostBatch is { } extra)
            {
                sources.Add(new ExpositionSource(extra, instance.ConstantLabels, instance.HelpSuffix));
            }
        }

        var meta = new MetricWriter();
        HostMetrics.WriteCollectorResults(meta, results);
        if (includeHostMetrics)
        {
            HostMetrics.WriteHost(meta, manager, !settings.DisableExporterMetrics);
        }

        sources.Add(new ExpositionSource(meta.Batch));
        return ExpositionDocument.Create(sources);
    }
}
