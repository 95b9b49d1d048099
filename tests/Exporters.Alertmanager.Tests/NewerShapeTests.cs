using System.Text.Json;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Alertmanager.Tests;

/// <summary>The newer API shape (mutedBy, silence annotations, nanosecond times), from hand-written fixtures.</summary>
public class NewerShapeTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 1, 0, 0, TimeSpan.Zero);

    private static ApiSnapshot Snapshot() => new(
        JsonSerializer.Deserialize(Support.Fixture("status.json"), ApiJsonContext.Default.ApiStatus)!,
        JsonSerializer.Deserialize(Support.Fixture("alerts.json"), ApiJsonContext.Default.ListApiAlert)!,
        JsonSerializer.Deserialize(Support.Fixture("silences.json"), ApiJsonContext.Default.ListApiSilence)!,
        JsonSerializer.Deserialize(Support.Fixture("receivers.json"), ApiJsonContext.Default.ListApiReceiver)!,
        JsonSerializer.Deserialize(Support.Fixture("groups.json"), ApiJsonContext.Default.ListApiAlertGroup)!);

    private static string Write(AlertmanagerOptions options)
    {
        options.Uri ??= "http://127.0.0.1:1";
        var collector = new AlertmanagerCollector(options, TimeProvider.System);
        var writer = new MetricWriter();
        collector.Write(Snapshot(), writer, Now);
        collector.Dispose();
        Assert.Equal(0, writer.RejectedSamples);
        return Support.Render(writer);
    }

    [Fact]
    public void Newer_fields_parse()
    {
        var snapshot = Snapshot();
        Assert.Equal(["weekends"], snapshot.Alerts[1].Status!.MutedBy);
        Assert.Equal("OPS-123", snapshot.Silences[0].Annotations!["ticket"]);
        Assert.Null(snapshot.Silences[2].Annotations);
        Assert.Equal(3, snapshot.Status.Cluster!.Peers!.Count);
    }

    [Fact]
    public void Aggregates()
    {
        var text = Write(new AlertmanagerOptions());
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts{state=\"active\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alerts{state=\"suppressed\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts{state=\"unprocessed\"}"));

        Assert.Equal(
            [
                "alertmanager_api_alerts_by_labels{alertname=\"DiskFull\",severity=\"critical\",state=\"active\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"DiskFull\",severity=\"warning\",state=\"suppressed\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"HighLatency\",severity=\"\",state=\"suppressed\"} 1",
            ],
            Support.Samples(text, "alertmanager_api_alerts_by_labels"));

        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"team-a\",state=\"active\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"team-a\",state=\"suppressed\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"team-b\",state=\"suppressed\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"team-b\",state=\"active\"}"));
        Assert.Equal(6, Support.Samples(text, "alertmanager_api_alerts_by_receiver").Length);

        Assert.Equal(["alertmanager_api_oldest_active_alert_age_seconds{alertname=\"DiskFull\"} 599.0123457"], Support.Samples(text, "alertmanager_api_oldest_active_alert_age_seconds"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_silenced"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts_inhibited"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_muted_by_time_interval"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alert_groups{receiver=\"team-a\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alert_groups{receiver=\"team-b\"}"));

        Assert.Equal(2, Support.Require(text, "alertmanager_api_silences{state=\"active\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences{state=\"pending\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences{state=\"expired\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences_expiring"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences_matching_no_alerts"));

        Assert.Equal(1, Support.Require(text, "alertmanager_api_cluster_status{status=\"ready\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_cluster_status{status=\"disabled\"}"));
        Assert.Equal(3, Support.Require(text, "alertmanager_api_cluster_peers"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_version_info{version=\"0.30.0\",revision=\"0123456789abcdef\",branch=\"HEAD\",go_version=\"go1.24.0\"}"));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000d, Support.Require(text, "alertmanager_api_start_time_seconds"));
        Assert.InRange(Support.Require(text, "alertmanager_api_config_hash"), 1, Math.Pow(2, 48));

        // Opt-in families are off by default.
        Assert.Empty(Support.Samples(text, "alertmanager_api_silence_end_timestamp_seconds"));
        Assert.Empty(Support.Samples(text, "alertmanager_api_alert_start_timestamp_seconds"));
    }

    [Fact]
    public void Free_text_never_becomes_a_label()
    {
        var text = Write(new AlertmanagerOptions { AlertSeries = true, SilenceSeries = true });
        foreach (var forbidden in new[] { "free text", "OPS-123", "Maintenance", "Disk is", "runbook", "example.invalid/runbook", "weekends", "batch-" })
        {
            Assert.DoesNotContain(forbidden, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Per_silence_series_when_asked()
    {
        var text = Write(new AlertmanagerOptions { SilenceSeries = true });
        const string s1 = "{silence_id=\"7f9c2a1e-0000-4000-8000-000000000001\",created_by=\"alice@example.invalid\"}";
        const string s2 = "{silence_id=\"7f9c2a1e-0000-4000-8000-000000000002\",created_by=\"bob\"}";
        const string s3 = "{silence_id=\"7f9c2a1e-0000-4000-8000-000000000003\",created_by=\"carol\"}";
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 1, 30, 0, 500, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000d, Support.Require(text, "alertmanager_api_silence_end_timestamp_seconds" + s1));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silence_silenced_alerts" + s1));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_silence_silenced_alerts" + s2));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 3, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), Support.Require(text, "alertmanager_api_silence_start_timestamp_seconds" + s3));
        Assert.Equal(3, Support.Samples(text, "alertmanager_api_silence_end_timestamp_seconds").Length);
        Assert.DoesNotContain("dave", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_alert_series_when_asked_with_the_configured_labels_only()
    {
        var text = Write(new AlertmanagerOptions { AlertSeries = true, AlertLabels = "alertname,instance" });
        Assert.Equal(
            [
                "alertmanager_api_alert_start_timestamp_seconds{fingerprint=\"a1b2c3d4e5f60003\",state=\"suppressed\",alertname=\"HighLatency\",instance=\"\"} 1893454200",
                "alertmanager_api_alert_start_timestamp_seconds{fingerprint=\"a1b2c3d4e5f60002\",state=\"suppressed\",alertname=\"DiskFull\",instance=\"db-2\"} 1893458400",
                "alertmanager_api_alert_start_timestamp_seconds{fingerprint=\"a1b2c3d4e5f60001\",state=\"active\",alertname=\"DiskFull\",instance=\"db-1\"} 1893459000.987",
            ],
            Support.Samples(text, "alertmanager_api_alert_start_timestamp_seconds"));
        Assert.DoesNotContain("severity", text.Split('\n').Where(l => l.StartsWith("alertmanager_api_alert_start", StringComparison.Ordinal)), StringComparer.Ordinal);
    }

    [Fact]
    public void Series_limit_caps_unbounded_families_and_says_so()
    {
        var text = Write(new AlertmanagerOptions { AlertSeries = true, SilenceSeries = true, SeriesLimit = 1 });
        Assert.Single(Support.Samples(text, "alertmanager_api_alerts_by_labels"));
        Assert.Single(Support.Samples(text, "alertmanager_api_alert_start_timestamp_seconds"));
        Assert.Single(Support.Samples(text, "alertmanager_api_silence_end_timestamp_seconds"));

        // by_labels 2 + per alert 2 + per silence 2 (the oldest-age family has only one alertname).
        Assert.Equal(6, Support.Require(text, "alertmanager_api_series_dropped"));

        // Aggregates are never capped.
        Assert.Equal(3, Support.Samples(text, "alertmanager_api_alerts").Length);
    }

    [Fact]
    public async Task End_to_end_against_a_server_answering_in_the_newer_shape()
    {
        await using var server = Support.ApiServer(_ => null);
        await using var harness = CollectorHarness.Create(Support.Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri.ToString() });
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(1, Support.Require(text, "alertmanager_api_up"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_muted_by_time_interval"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_passthrough_up"));
        Assert.Equal(1, Support.Require(text, "alertmanager_alerts{state=\"active\"}"));
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Times_with_nanoseconds_and_offsets_parse()
    {
        Assert.True(AlertmanagerApi.TryParseTime("2030-01-01T00:50:00.987654321Z", out var t));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 50, 0, TimeSpan.Zero).AddTicks(9876543), t);
        Assert.True(AlertmanagerApi.TryParseTime("2030-01-01T00:30:00+01:00", out t));
        Assert.Equal(new DateTimeOffset(2029, 12, 31, 23, 30, 0, TimeSpan.Zero), t);
        Assert.False(AlertmanagerApi.TryParseTime("yesterday", out _));
        _ = new OptionErrors();
    }
}
