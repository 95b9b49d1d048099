using System.Globalization;
using Exporters.Abstractions.Metrics;

namespace Exporters.Alertmanager;

/// <summary>The collector's own families, declared once per instance (the alert label set is configurable).</summary>
internal sealed class AlertmanagerMetrics
{
    public static readonly string[] AlertStates = ["active", "suppressed", "unprocessed"];
    public static readonly string[] SilenceStates = ["active", "pending", "expired"];
    public static readonly string[] ClusterStates = ["ready", "settling", "disabled"];

    public AlertmanagerMetrics(IReadOnlyList<string> alertLabels, TimeSpan expiryHorizon)
    {
        var horizon = expiryHorizon.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        Up = new("alertmanager_api_up", "Whether Alertmanager's API v2 answered every request of this scrape (1) or not (0).");
        Alerts = new("alertmanager_api_alerts", "Unresolved alerts by state (active, suppressed, unprocessed).", ["state"]);
        AlertsByLabels = new("alertmanager_api_alerts_by_labels", $"Unresolved alerts by state and by the configured alert labels ({string.Join(", ", alertLabels)}); an absent label is empty.", [.. alertLabels, "state"]);
        AlertsByReceiver = new("alertmanager_api_alerts_by_receiver", "Unresolved alerts by receiver they route to, and state.", ["receiver", "state"]);
        OldestActiveAlertAge = new("alertmanager_api_oldest_active_alert_age_seconds", "Age of the oldest active (not suppressed) alert, per alertname.", ["alertname"], "seconds");
        AlertsSilenced = new("alertmanager_api_alerts_silenced", "Unresolved alerts muted by at least one silence.");
        AlertsInhibited = new("alertmanager_api_alerts_inhibited", "Unresolved alerts muted by at least one inhibition rule.");
        AlertsTimeMuted = new("alertmanager_api_alerts_muted_by_time_interval", "Unresolved alerts muted by a time interval (0 on Alertmanager versions that do not report it).");
        AlertGroups = new("alertmanager_api_alert_groups", "Alert groups by receiver.", ["receiver"]);
        AlertStart = new("alertmanager_api_alert_start_timestamp_seconds", "Opt-in, one series per alert: when it started, by fingerprint, state and the configured alert labels.", ["fingerprint", "state", .. alertLabels], "seconds");
        Silences = new("alertmanager_api_silences", "Silences by state (active, pending, expired).", ["state"]);
        SilencesExpiring = new("alertmanager_api_silences_expiring", $"Active silences that end within the expiry horizon ({horizon} seconds).");
        SilencesMatchingNoAlerts = new("alertmanager_api_silences_matching_no_alerts", "Active silences that silence no current alert.");
        SilenceStart = new("alertmanager_api_silence_start_timestamp_seconds", "Opt-in, per active or pending silence: when it starts.", ["silence_id", "created_by"], "seconds");
        SilenceEnd = new("alertmanager_api_silence_end_timestamp_seconds", "Opt-in, per active or pending silence: when it ends.", ["silence_id", "created_by"], "seconds");
        SilenceAlerts = new("alertmanager_api_silence_silenced_alerts", "Opt-in, per active or pending silence: how many current alerts it silences.", ["silence_id", "created_by"]);
        ClusterStatus = new("alertmanager_api_cluster_status", "Cluster status: 1 for the current one of ready, settling, disabled.", ["status"]);
        ClusterPeers = new("alertmanager_api_cluster_peers", "Cluster peers, this Alertmanager included (0 when clustering is disabled).");
        VersionInfo = new("alertmanager_api_version_info", "Alertmanager's version, as its API reports it.", ["version", "revision", "branch", "go_version"]);
        ConfigHash = new("alertmanager_api_config_hash", "First 48 bits of the SHA-256 of the loaded configuration as the API shows it; changes when the configuration changes.");
        StartTime = new("alertmanager_api_start_time_seconds", "When Alertmanager started, in seconds since the Unix epoch.", null, "seconds");
        SeriesDropped = new("alertmanager_api_series_dropped", "Series left out of this scrape by series_limit (per-label, per-alertname, per-alert and per-silence families).");
        Names = new HashSet<string>(StringComparer.Ordinal)
        {
            Up.Name, Alerts.Name, AlertsByLabels.Name, AlertsByReceiver.Name, OldestActiveAlertAge.Name, AlertsSilenced.Name, AlertsInhibited.Name,
            AlertsTimeMuted.Name, AlertGroups.Name, AlertStart.Name, Silences.Name, SilencesExpiring.Name, SilencesMatchingNoAlerts.Name,
            SilenceStart.Name, SilenceEnd.Name, SilenceAlerts.Name, ClusterStatus.Name, ClusterPeers.Name, VersionInfo.Name, ConfigHash.Name,
            StartTime.Name, SeriesDropped.Name,
        };
    }

    public GaugeDefinition Up { get; }

    public GaugeDefinition Alerts { get; }

    public GaugeDefinition AlertsByLabels { get; }

    public GaugeDefinition AlertsByReceiver { get; }

    public GaugeDefinition OldestActiveAlertAge { get; }

    public GaugeDefinition AlertsSilenced { get; }

    public GaugeDefinition AlertsInhibited { get; }

    public GaugeDefinition AlertsTimeMuted { get; }

    public GaugeDefinition AlertGroups { get; }

    public GaugeDefinition AlertStart { get; }

    public GaugeDefinition Silences { get; }

    public GaugeDefinition SilencesExpiring { get; }

    public GaugeDefinition SilencesMatchingNoAlerts { get; }

    public GaugeDefinition SilenceStart { get; }

    public GaugeDefinition SilenceEnd { get; }

    public GaugeDefinition SilenceAlerts { get; }

    public GaugeDefinition ClusterStatus { get; }

    public GaugeDefinition ClusterPeers { get; }

    public InfoDefinition VersionInfo { get; }

    public GaugeDefinition ConfigHash { get; }

    public GaugeDefinition StartTime { get; }

    public GaugeDefinition SeriesDropped { get; }

    /// <summary>Every family name above, so re-exposed families cannot take one.</summary>
    public HashSet<string> Names { get; }
}
