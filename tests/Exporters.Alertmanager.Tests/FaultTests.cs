using System.Diagnostics;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Alertmanager.Tests;

/// <summary>Every failure gives alertmanager_api_up 0, leaves the passthrough alone, and returns before the deadline.</summary>
[Collection(TimingCollection.Name)]
public class FaultTests
{
    public static TheoryData<string> Faults => ["500", "malformed-json", "null-json", "slow", "silent", "reset-mid-body", "wrong-shape"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Api_fault_gives_up_0_on_time_and_passthrough_unaffected(string fault)
    {
        await using var server = Support.ApiServer(path => path != "/api/v2/alerts" ? null : fault switch
        {
            "500" => new ScriptedResponse(500, "{\"error\":\"boom\"}"),
            "malformed-json" => new ScriptedResponse(200, "[{\"labels\": {\"alertname\": \"A\"}, "),
            "null-json" => new ScriptedResponse(200, "null"),
            "slow" => new ScriptedResponse(200, "[]") { Delay = TimeSpan.FromSeconds(10) },
            "silent" => new ScriptedResponse(200, "[]") { Silent = true },
            "reset-mid-body" => new ScriptedResponse(200, Support.Fixture("alerts.json")) { DropAfterBytes = 100 },
            _ => new ScriptedResponse(200, "{\"alerts\": 5}"),
        });
        await using var harness = CollectorHarness.Create(Support.Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri.ToString(), ["timeout"] = "3s" });
        var clock = Stopwatch.StartNew();
        var writer = await harness.ScrapeAsync();

        // On time means before the scrape's deadline, so the host keeps what the collector wrote.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        var text = Support.Render(writer);
        Assert.Equal(0, Support.Require(text, "alertmanager_api_up"));
        Assert.Null(Support.Value(text, "alertmanager_api_silences{state=\"active\"}"));
        Assert.Equal(1, Support.Require(text, "alertmanager_api_passthrough_up"));
        Assert.Equal(1, Support.Require(text, "alertmanager_alerts{state=\"active\"}"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("alertmanager at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failure_message_names_the_endpoint_and_status()
    {
        await using var server = Support.ApiServer(path => path == "/api/v2/silences" ? new ScriptedResponse(503, "unavailable") : null);
        await using var harness = CollectorHarness.Create(Support.Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri.ToString() });
        await harness.ScrapeAsync();
        Assert.Contains(harness.Logger.Lines, l => l.Contains("GET /api/v2/silences answered HTTP 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Down_gives_up_0_for_both()
    {
        await using var harness = CollectorHarness.Create(Support.Definition, new Dictionary<string, string?> { ["uri"] = $"http://127.0.0.1:{Tools.FreePort()}" });
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(0, Support.Require(text, "alertmanager_api_up"));
        Assert.Equal(0, Support.Require(text, "alertmanager_api_passthrough_up"));
    }

    [Fact]
    public async Task Credentials_in_the_uri_are_sent_and_never_logged()
    {
        await using var server = Support.ApiServer(path => path == "/api/v2/status" ? new ScriptedResponse(500, "no") : null);
        await using var harness = CollectorHarness.Create(Support.Definition, new Dictionary<string, string?> { ["uri"] = $"http://user:s3cret@127.0.0.1:{server.Port}" });
        var text = Support.Render(await harness.ScrapeAsync());
        Assert.Equal(0, Support.Require(text, "alertmanager_api_up"));
        Assert.Contains("Authorization: Basic dXNlcjpzM2NyZXQ=", server.ReceivedHeaders);
        Assert.NotEmpty(harness.Logger.Lines);
        Assert.DoesNotContain(harness.Logger.Lines, l => l.Contains("s3cret", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
    }
}
