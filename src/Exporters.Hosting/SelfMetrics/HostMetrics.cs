using Exporters.Abstractions.Metrics;
using Exporters.Hosting.Scraping;

namespace Exporters.Hosting.SelfMetrics;

/// <summary>The host's metrics about itself and about each collector's last scrape.</summary>
internal static class HostMetrics
{
    private static readonly GaugeDefinition Success = new("exporter_collector_success", "Whether the collector's last scrape finished in time without error (1) or not (0).", ["collector"]);
    private static readonly GaugeDefinition Duration = new("exporter_collector_duration_seconds", "How long the collector's last scrape took.", ["collector"], "seconds");
    private static readonly GaugeDefinition Cached = new("exporter_collector_cached", "Whether this response reused the collector's previous result because of min_interval (1) or not (0).", ["collector"]);
    private static readonly CounterDefinition Scrapes = new("exporter_collector_scrapes_total", "Scrapes of the target the collector ran (cache hits and joined concurrent scrapes not counted).", ["collector"]);
    private static readonly CounterDefinition Failures = new("exporter_collector_scrape_errors_total", "Scrapes of the collector that failed or missed their deadline.", ["collector"]);
    private static readonly CounterDefinition Rejected = new("exporter_collector_samples_rejected_total", "Samples dropped because they would have made the output invalid (duplicate series, negative counters).", ["collector"]);
    private static readonly CounterDefinition Dropped = new("exporter_collector_series_dropped_total", "Series dropped because a scrape exceeded the collector's max_series.", ["collector"]);
    private static readonly InfoDefinition Build = new("exporter_build_info", "The exporter's version, source revision and .NET version.", ["version", "revision", "dotnet_version"]);
    private static readonly GaugeDefinition ReloadSuccessful = new("exporter_config_last_reload_successful", "Whether the last configuration reload succeeded (1) or failed and the previous configuration is still running (0).");
    private static readonly GaugeDefinition ReloadTimestamp = new("exporter_config_last_reload_success_timestamp_seconds", "When configuration was last loaded successfully, in seconds since the epoch.", unit: "seconds");
    private static readonly GaugeDefinition Collectors = new("exporter_collectors", "Collector instances configured and enabled, by collector type.", ["type"]);

    /// <summary>Writes one series per scraped instance into <paramref name="writer"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="results">The instances and their outcomes of this request.</param>
    public static void WriteCollectorResults(MetricWriter writer, IReadOnlyList<(CollectorInstance Instance, ScrapeOutcome Outcome)> results)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(results);
        foreach (var (instance, outcome) in results)
        {
            writer.Write(Success, outcome.Success ? 1 : 0, instance.Name);
        }

        foreach (var (instance, outcome) in results)
        {
            writer.Write(Duration, outcome.Duration.TotalSeconds, instance.Name);
        }

        foreach (var (instance, outcome) in results)
        {
            writer.Write(Cached, outcome.FromCache ? 1 : 0, instance.Name);
        }

        foreach (var (instance, _) in results)
        {
            writer.Write(Scrapes, instance.ScrapesTotal, instance.Name);
            writer.Write(Failures, instance.FailuresTotal, instance.Name);
            writer.Write(Rejected, instance.RejectedTotal, instance.Name);
            writer.Write(Dropped, instance.DroppedTotal, instance.Name);
        }
    }

    /// <summary>Writes build and configuration metrics, and process and runtime metrics unless <paramref name="processAndRuntime"/> is false.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="manager">The runtime manager.</param>
    /// <param name="processAndRuntime">Whether to write the process and runtime families (<c>--web.disable-exporter-metrics</c> turns them off).</param>
    public static void WriteHost(MetricWriter writer, RuntimeManager manager, bool processAndRuntime = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(manager);
        writer.Write(Build, BuildInfo.Version, BuildInfo.Revision, BuildInfo.DotnetVersion);
        writer.Write(ReloadSuccessful, manager.LastReloadSuccessful ? 1 : 0);
        writer.Write(ReloadTimestamp, manager.LastReloadSuccess.ToUnixTimeMilliseconds() / 1000d);
        foreach (var group in manager.Current.Instances.GroupBy(i => i.Definition.Name, StringComparer.Ordinal))
        {
            writer.Write(Collectors, group.Count(), group.Key);
        }

        if (processAndRuntime)
        {
            ProcessMetrics.Write(writer);
        }
    }
}
