using Exporters.Passthrough;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Alertmanager.Tests;

/// <summary>
/// Debian's Alertmanager 0.25 with five alerts (one inhibited by a critical alert of the same cluster, one
/// silenced) and silences in every state.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RealAlertmanagerTests : IAsyncLifetime
{
    private AlertmanagerServer _server = null!;
    private string _silenceCpu = null!;
    private string _silenceNothing = null!;
    private string _silencePending = null!;
    private string _silenceExpired = null!;

    public async Task InitializeAsync()
    {
        _server = await AlertmanagerServer.StartAsync();
        await _server.PostAlertAsync(TimeSpan.FromMinutes(10), ("alertname", "Disk"), ("severity", "critical"), ("cluster", "a"));
        await _server.PostAlertAsync(TimeSpan.FromMinutes(20), ("alertname", "Disk"), ("severity", "warning"), ("cluster", "a"));
        await _server.PostAlertAsync(TimeSpan.FromMinutes(5), ("alertname", "Cpu"), ("severity", "warning"), ("cluster", "b"));
        await _server.PostAlertAsync(TimeSpan.FromMinutes(30), ("alertname", "Mem"), ("severity", "warning"), ("cluster", "c"));
        await _server.PostAlertAsync(TimeSpan.FromMinutes(1), ("alertname", "Mem"), ("severity", "info"), ("cluster", "d"));
        _silenceCpu = await _server.AddSilenceAsync("2h", "alice", "alertname=Cpu");
        _silenceNothing = await _server.AddSilenceAsync("10m", "bob", "alertname=Nothing");
        _silencePending = await _server.AddPendingSilenceAsync(TimeSpan.FromHours(1), "carol", "alertname=Mem");
        _silenceExpired = await _server.AddSilenceAsync("1h", "dave", "alertname=Old");
        await _server.ExpireSilenceAsync(_silenceExpired);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private CollectorHarness Harness(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["uri"] = _server.Uri, ["silence_series"] = "true", ["alert_series"] = "true" };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return CollectorHarness.Create(Support.Definition, settings);
    }

    /// <summary>Inhibition is evaluated asynchronously after alerts arrive; scrape until the states settle.</summary>
    private static async Task<string> SettledScrapeAsync(CollectorHarness harness)
    {
        var text = string.Empty;
        for (var i = 0; i < 100; i++)
        {
            text = Support.Render(await harness.ScrapeAsync());
            if (Support.Value(text, "alertmanager_api_alerts{state=\"suppressed\"}") == 2 && Support.Value(text, "alertmanager_api_alerts{state=\"active\"}") == 3)
            {
                return text;
            }

            await Task.Delay(100);
        }

        return text;
    }

    [Fact]
    public async Task Counts_by_state_label_and_receiver()
    {
        await using var harness = Harness();
        var text = await SettledScrapeAsync(harness);
        Assert.Equal(1, Support.Require(text, "alertmanager_api_up"));
        Assert.Equal(3, Support.Require(text, "alertmanager_api_alerts{state=\"active\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alerts{state=\"suppressed\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts{state=\"unprocessed\"}"));
        Assert.Equal(
            [
                "alertmanager_api_alerts_by_labels{alertname=\"Cpu\",severity=\"warning\",state=\"suppressed\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"Disk\",severity=\"critical\",state=\"active\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"Disk\",severity=\"warning\",state=\"suppressed\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"Mem\",severity=\"info\",state=\"active\"} 1",
                "alertmanager_api_alerts_by_labels{alertname=\"Mem\",severity=\"warning\",state=\"active\"} 1",
            ],
            Support.Samples(text, "alertmanager_api_alerts_by_labels"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"pager\",state=\"active\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"pager\",state=\"suppressed\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"default\",state=\"active\"}"));
        Assert.Equal(2, Support.Require(text, "alertmanager_api_alerts_by_receiver{receiver=\"default\",state=\"suppressed\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_silenced"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_alerts_inhibited"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_alerts_muted_by_time_interval"));

        // Ages of the oldest active alert per alertname: Disk's critical (10 min; the 20-minute warning is inhibited), Mem's warning (30 min).
        Assert.InRange(Support.Require(text, "alertmanager_api_oldest_active_alert_age_seconds{alertname=\"Disk\"}"), 600, 660);
        Assert.InRange(Support.Require(text, "alertmanager_api_oldest_active_alert_age_seconds{alertname=\"Mem\"}"), 1800, 1860);
        Assert.Null(Support.Value(text, "alertmanager_api_oldest_active_alert_age_seconds{alertname=\"Cpu\"}"));

        Assert.Equal(1, Support.Require(text, "alertmanager_api_alert_groups{receiver=\"pager\"}"));
        Assert.Equal(3, Support.Require(text, "alertmanager_api_alert_groups{receiver=\"default\"}"));
        Assert.Equal(5, Support.Samples(text, "alertmanager_api_alert_start_timestamp_seconds").Length);
    }

    [Fact]
    public async Task Silences_by_state_expiry_and_per_silence_series()
    {
        await using var harness = Harness();
        var text = await SettledScrapeAsync(harness);
        Assert.Equal(2, Support.Require(text, "alertmanager_api_silences{state=\"active\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences{state=\"pending\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences{state=\"expired\"}"));

        // Within the default 1h horizon: bob's 10-minute silence, not alice's 2-hour one.
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences_expiring"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_silences_matching_no_alerts"));

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(Support.Require(text, $"alertmanager_api_silence_end_timestamp_seconds{{silence_id=\"{_silenceCpu}\",created_by=\"alice\"}}"), now + 7100, now + 7201);
        Assert.InRange(Support.Require(text, $"alertmanager_api_silence_end_timestamp_seconds{{silence_id=\"{_silenceNothing}\",created_by=\"bob\"}}"), now + 500, now + 601);
        Assert.InRange(Support.Require(text, $"alertmanager_api_silence_start_timestamp_seconds{{silence_id=\"{_silencePending}\",created_by=\"carol\"}}"), now + 3500, now + 3601);
        Assert.Equal(1, Support.Require(text, $"alertmanager_api_silence_silenced_alerts{{silence_id=\"{_silenceCpu}\",created_by=\"alice\"}}"));
        Assert.Equal(0, Support.Require(text, $"alertmanager_api_silence_silenced_alerts{{silence_id=\"{_silenceNothing}\",created_by=\"bob\"}}"));
        Assert.Equal(0, Support.Require(text, $"alertmanager_api_silence_silenced_alerts{{silence_id=\"{_silencePending}\",created_by=\"carol\"}}"));
        Assert.DoesNotContain(_silenceExpired, text, StringComparison.Ordinal);
        Assert.DoesNotContain("never a label", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_longer_horizon_counts_more_silences_as_expiring()
    {
        await using var harness = Harness(new() { ["expiry_horizon"] = "3h" });
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(2, Support.Require(text, "alertmanager_api_silences_expiring"));
    }

    [Fact]
    public async Task Status_cluster_version_config_and_start_time()
    {
        await using var harness = Harness();
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(1, Support.Require(text, "alertmanager_api_cluster_status{status=\"disabled\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_cluster_status{status=\"ready\"}"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_cluster_peers"));
        Assert.Single(Support.Samples(text, "alertmanager_api_version_info"), l => l.Contains("version=\"0.25.0\"", StringComparison.Ordinal));
        Assert.InRange(Support.Require(text, "alertmanager_api_start_time_seconds"), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var hash = Support.Require(text, "alertmanager_api_config_hash");
        Assert.Equal(hash, Support.Require(Support.Render(await harness.ScrapeAsync()), "alertmanager_api_config_hash"));
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Passthrough_families_equal_alertmanager_own()
    {
        await using var harness = Harness();

        // Alertmanager's own alertmanager_alerts moves from unprocessed to active or suppressed as alerts are
        // evaluated (API reads trigger it too); compare once the states have settled.
        await SettledScrapeAsync(harness);
        var writer = await harness.ScrapeAsync();
        var own = await _server.GetAsync("/metrics");
        var text = Support.Render(writer);
        Assert.Equal(1, Support.Require(text, "alertmanager_api_passthrough_up"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_passthrough_malformed_lines_total"));

        // Alertmanager's own metrics, parsed independently: the same families (process_* are left out by default).
        var sink = new FamilyNames();
        new ExpositionParser().Parse(System.Text.Encoding.UTF8.GetBytes(own), ExpositionSyntax.Text, sink);
        var expected = sink.Names.Where(n => !n.StartsWith("process_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var passed = writer.Batch.Families.Select(f => f.Definition.Name)
            .Where(n => !n.StartsWith("alertmanager_api_", StringComparison.Ordinal))
            .Select(n => n)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(expected, passed);

        // Families that do not move between two scrapes have identical samples.
        foreach (var family in new[] { "alertmanager_alerts", "alertmanager_silences", "alertmanager_build_info", "alertmanager_cluster_enabled", "alertmanager_config_hash", "alertmanager_receivers" })
        {
            Assert.Equal(Support.Parsed(own, family), Support.Parsed(text, family));
        }

        Assert.Equal(3, Support.Require(text, "alertmanager_silences{state=\"active\"}") + Support.Require(text, "alertmanager_silences{state=\"pending\"}"));
    }

    [Fact]
    public async Task Passthrough_can_be_turned_off()
    {
        await using var harness = Harness(new() { ["passthrough:enabled"] = "false" });
        var writer = await harness.ScrapeAsync();
        Assert.All(writer.Batch.Families, f => Assert.StartsWith("alertmanager_api_", f.Definition.Name, StringComparison.Ordinal));
        Assert.DoesNotContain(writer.Batch.Families, f => f.Definition.Name.StartsWith("alertmanager_api_passthrough", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Down_and_back_after_a_restart()
    {
        await using var harness = Harness();
        Assert.Equal(1, Support.Require(Support.Render(await harness.ScrapeAsync()), "alertmanager_api_up"));

        await _server.StopAsync();
        var down = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(0, Support.Require(down, "alertmanager_api_up"));
        Assert.Equal(0, Support.Require(down, "alertmanager_api_passthrough_up"));
        Assert.Null(Support.Value(down, "alertmanager_api_alerts{state=\"active\"}"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("down for this scrape", StringComparison.Ordinal));

        // The restarted server kept its silences (same storage); pooled connections to the old process are not reused.
        await _server.RestartAsync();
        var back = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(1, Support.Require(back, "alertmanager_api_up"));
        Assert.Equal(1, Support.Require(back, "alertmanager_api_passthrough_up"));
        Assert.Equal(2, Support.Require(back, "alertmanager_api_silences{state=\"active\"}"));
    }

    [Fact]
    public async Task Frozen_alertmanager_gives_up_0_before_the_deadline_then_recovers()
    {
        await using var harness = Harness(new() { ["timeout"] = "3s" });
        await harness.ScrapeAsync();
        _server.Process.Signal(19);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var text = Support.Render(await harness.ScrapeAsync());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
            Assert.Equal(0, Support.Require(text, "alertmanager_api_up"));
            Assert.Equal(0, Support.Require(text, "alertmanager_api_passthrough_up"));
        }
        finally
        {
            _server.Process.Signal(18);
        }

        Assert.Equal(1, Support.Require(Support.Render(await harness.ScrapeAsync()), "alertmanager_api_up"));
    }

    [Fact]
    public async Task Killed_mid_scrape_gives_up_0_on_time_and_the_restarted_server_is_scraped_again()
    {
        await using var harness = Harness(new() { ["timeout"] = "5s" });
        await harness.ScrapeAsync();

        // Frozen, so the scrape is surely in flight when the process dies under it.
        _server.Process.Signal(19);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scrape = harness.ScrapeAsync();
        await Task.Delay(300);
        _server.Process.Signal(9);
        var text = Support.Render(await scrape);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(0, Support.Require(text, "alertmanager_api_up"));

        await _server.RestartAsync();
        Assert.Equal(1, Support.Require(Support.Render(await harness.ScrapeAsync()), "alertmanager_api_up"));
    }

    [Fact]
    public async Task A_restart_between_scrapes_does_not_cost_a_scrape()
    {
        await using var harness = Harness();
        Assert.Equal(1, Support.Require(Support.Render(await harness.ScrapeAsync()), "alertmanager_api_up"));
        await _server.RestartAsync();
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(1, Support.Require(text, "alertmanager_api_up"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_passthrough_up"));
    }

    private sealed class FamilyNames : IFamilySink
    {
        public List<string> Names { get; } = [];

        public void OnFamily(ParsedFamily family) => Names.Add(family.Type == ParsedType.Counter && family.Samples[0].Kind == SampleKind.Total ? family.Name + "_total" : family.Name);

        public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line) => throw new InvalidOperationException($"line {lineNumber}: {reason}");
    }
}
