using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Passthrough;

namespace Exporters.Alertmanager;

/// <summary>
/// The <c>alertmanager</c> collector: bounded alert, silence and status metrics read from Alertmanager's API v2
/// (what Alertmanager's own metrics do not say: counts by label and receiver, silenced and inhibited alerts,
/// silences about to expire or matching nothing), plus Alertmanager's own <c>/metrics</c> in the same scrape.
/// </summary>
public sealed class AlertmanagerCollectorDefinition : CollectorDefinition<AlertmanagerOptions>
{
    /// <summary>Label names the collector's own families use; alert labels may not take them.</summary>
    internal static readonly string[] ReservedLabels = ["state", "receiver", "fingerprint", "silence_id", "created_by"];

    /// <inheritdoc/>
    public override string Name => "alertmanager";

    /// <inheritdoc/>
    public override string Description => "Alerts, silences and status from Alertmanager's API v2, and Alertmanager's own metrics.";

    /// <inheritdoc/>
    public override string? UpMetricName => "alertmanager_api_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags { get; } =
    [
        new("alertmanager.uri", "uri", "ALERTMANAGER_URI", "Alertmanager base URI, e.g. http://localhost:9093; setting it enables the collector."),
        new("alertmanager.timeout", "timeout", "ALERTMANAGER_TIMEOUT", "Longest a scrape of Alertmanager may take (default 10s)."),
        new("alertmanager.alert-labels", "alert_labels", "ALERTMANAGER_ALERT_LABELS", "Comma-separated alert labels to count alerts by (default alertname,severity)."),
        new("alertmanager.alert-series", "alert_series", "ALERTMANAGER_ALERT_SERIES", "Write one series per alert (opt-in, capped by --alertmanager.series-limit).", IsSwitch: true),
        new("alertmanager.silence-series", "silence_series", "ALERTMANAGER_SILENCE_SERIES", "Write series per active or pending silence (opt-in, capped by --alertmanager.series-limit).", IsSwitch: true),
        new("alertmanager.series-limit", "series_limit", "ALERTMANAGER_SERIES_LIMIT", "Most series per per-label, per-alert or per-silence family in one scrape (default 1000)."),
        new("alertmanager.expiry-horizon", "expiry_horizon", "ALERTMANAGER_EXPIRY_HORIZON", "Silences ending within this are counted as expiring (default 1h)."),
        new("alertmanager.passthrough", "passthrough.enabled", "ALERTMANAGER_PASSTHROUGH", "Re-expose Alertmanager's own /metrics in the same scrape (default on).", IsSwitch: true),
    ];

    /// <inheritdoc/>
    protected override void Validate(AlertmanagerOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!TargetUri.TryParse(options.Uri, out _, out var error))
        {
            errors.Add("uri", error!);
        }

        var labels = options.ParseAlertLabels();
        foreach (var label in labels)
        {
            if (!MetricNames.IsValidLabelName(label))
            {
                errors.Add("alert_labels", $"'{label}' is not a valid label name");
            }
            else if (ReservedLabels.Contains(label, StringComparer.Ordinal))
            {
                errors.Add("alert_labels", $"'{label}' is a label of the collector's own metrics; choose others than {string.Join(", ", ReservedLabels)}");
            }
        }

        if (options.SeriesLimit < 1)
        {
            errors.Add("series_limit", $"must be at least 1, not {options.SeriesLimit}");
        }

        var path = options.Passthrough.Path;
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            errors.Add("passthrough.path", $"must start with '/', not '{path}'");
        }

        options.Passthrough.Validate(errors, "passthrough.");
    }

    /// <inheritdoc/>
    protected override ICollector Create(AlertmanagerOptions options, CollectorCreationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AlertmanagerCollector(options, context.TimeProvider);
    }
}
