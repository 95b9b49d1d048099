using Exporters.Abstractions;
using Exporters.Passthrough;
using Microsoft.Extensions.Configuration;

namespace Exporters.Alertmanager;

/// <summary>Options of the <c>alertmanager</c> collector.</summary>
public sealed partial class AlertmanagerOptions : CollectorOptions
{
    /// <summary>The default <see cref="AlertLabels"/>.</summary>
    public const string DefaultAlertLabels = "alertname,severity";

    /// <summary>Alertmanager's base URI, for example <c>http://localhost:9093</c> (with its route prefix, if any).</summary>
    [ConfigurationKeyName("uri")]
    public string? Uri { get; set; }

    /// <summary>
    /// Comma-separated alert labels that alert counts are broken down by (and that per-alert series carry). Keep it to
    /// labels with few values: every combination is a series.
    /// </summary>
    [ConfigurationKeyName("alert_labels")]
    public string AlertLabels { get; set; } = DefaultAlertLabels;

    /// <summary>Whether to write one series per alert (opt-in; capped by <see cref="SeriesLimit"/>).</summary>
    [ConfigurationKeyName("alert_series")]
    public bool AlertSeries { get; set; }

    /// <summary>Whether to write series per active or pending silence (opt-in; capped by <see cref="SeriesLimit"/>).</summary>
    [ConfigurationKeyName("silence_series")]
    public bool SilenceSeries { get; set; }

    /// <summary>The most series each unbounded family (per label set, per alertname, per alert, per silence) may have in one scrape.</summary>
    [ConfigurationKeyName("series_limit")]
    public int SeriesLimit { get; set; } = 1000;

    /// <summary>Active silences ending within this horizon are counted as expiring.</summary>
    [ConfigurationKeyName("expiry_horizon")]
    public Duration ExpiryHorizon { get; set; } = Duration.FromSeconds(3600);

    /// <summary>Re-exposing Alertmanager's own <c>/metrics</c> in the same scrape.</summary>
    [ConfigurationKeyName("passthrough")]
    public AlertmanagerPassthroughOptions Passthrough { get; set; } = new();

    /// <inheritdoc/>
    public override string? GetTarget() => Uri;

    /// <summary>The parsed <see cref="AlertLabels"/>.</summary>
    /// <returns>The label names, in order, without duplicates.</returns>
    public IReadOnlyList<string> ParseAlertLabels() =>
        [.. AlertLabels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
}

/// <summary>How the <c>alertmanager</c> collector re-exposes Alertmanager's own metrics.</summary>
public sealed class AlertmanagerPassthroughOptions : PassthroughSettings
{
    /// <summary>Whether to re-expose them.</summary>
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; } = true;

    /// <summary>The path of Alertmanager's metrics, relative to its base URI.</summary>
    [ConfigurationKeyName("path")]
    public string Path { get; set; } = "/metrics";
}
