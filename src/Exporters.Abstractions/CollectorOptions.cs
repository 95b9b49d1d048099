using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions;

/// <summary>
/// Options every collector instance has. A collector's own options class derives from this one and adds its keys;
/// the host binds the instance's configuration section onto it and rejects unknown keys.
/// </summary>
/// <remarks>
/// Name keys in snake_case with <see cref="ConfigurationKeyNameAttribute"/>, mark credentials with
/// <see cref="SecretAttribute"/>, and use <see cref="Duration"/> for durations so users can write <c>5s</c>.
/// </remarks>
public class CollectorOptions
{
    /// <summary>
    /// The collector to run for this section. Defaults to the section's key, so <c>redis:</c> runs the
    /// <c>redis</c> collector and <c>cache: {type: redis}</c> runs a second instance of it named <c>cache</c>.
    /// </summary>
    [ConfigurationKeyName("type")]
    public string? Type { get; set; }

    /// <summary>Whether the instance runs. A section that exists is enabled unless it says otherwise.</summary>
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; } = true;

    /// <summary>The longest a scrape of this instance may take; Prometheus' scrape timeout can shorten it.</summary>
    [ConfigurationKeyName("timeout")]
    public Duration Timeout { get; set; } = Duration.FromSeconds(10);

    /// <summary>
    /// When above zero, scrapes that come sooner than this after the last one are answered from its result, and the
    /// HELP text says so. Off by default.
    /// </summary>
    [ConfigurationKeyName("min_interval")]
    public Duration MinInterval { get; set; }

    /// <summary>
    /// Whether concurrent scrapes of this instance share one fetch from the target (on by default, so two
    /// Prometheus replicas never double the load). Benchmarks turn it off to make every request reach the target.
    /// </summary>
    [ConfigurationKeyName("single_flight")]
    public bool SingleFlight { get; set; } = true;

    /// <summary>Labels added to every series of this instance, for telling several instances of one collector apart.</summary>
    [ConfigurationKeyName("labels")]
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The most series one scrape of this instance may produce; more are dropped and counted in
    /// <c>exporter_collector_series_dropped_total</c>.
    /// </summary>
    [ConfigurationKeyName("max_series")]
    public int MaxSeries { get; set; } = 100_000;

    /// <summary>
    /// The target this instance scrapes (an address or URI), or <see langword="null"/> if it has none. The host
    /// passes it in <see cref="ScrapeContext.Target"/> and shows it, with credentials removed, on the status page.
    /// </summary>
    /// <returns>The target.</returns>
    public virtual string? GetTarget() => null;
}
