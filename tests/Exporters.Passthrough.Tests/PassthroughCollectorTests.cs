using System.Diagnostics;
using Exporters.Exposition;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Passthrough.Tests;

[Collection(TimingCollection.Name)]
public class PassthroughCollectorTests
{
    private static readonly PassthroughCollectorDefinition Definition = new();

    [Fact]
    public async Task Scrape_of_real_alertmanager_re_exposes_its_families()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?>
        {
            ["uri"] = alertmanager.Uri + "/metrics",
            ["prefix"] = "am_",
            ["allow_families"] = null,
            ["allow_families:0"] = "alertmanager_.*",
        });
        var writer = await harness.ScrapeAsync();
        var text = CollectorHarness.Render(writer.Batch);
        Assert.Contains("passthrough_up 1\n", text, StringComparison.Ordinal);
        Assert.Contains("am_alertmanager_alerts{state=\"active\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("go_goroutines", text, StringComparison.Ordinal);
        Assert.Contains("passthrough_malformed_lines_total 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_lines_are_counted_and_never_re_exposed()
    {
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, "# TYPE good gauge\ngood 1\ngood{x=\"unterminated} 2\nbad value\ngood_after 3\n", "text/plain; version=0.0.4"));
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics" });
        await harness.ScrapeAsync();
        var text = CollectorHarness.Render((await harness.ScrapeAsync()).Batch);
        Assert.Contains("good 1\n", text, StringComparison.Ordinal);
        Assert.Contains("good_after 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unterminated", text, StringComparison.Ordinal);
        Assert.DoesNotContain("bad", text, StringComparison.Ordinal);
        Assert.Contains("passthrough_malformed_lines_total 4\n", text, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Lines, l => l.Contains("malformed line 3", StringComparison.Ordinal));
    }

    public static TheoryData<string> Faults => ["500", "silent", "slow", "dropped", "content-type"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Faults_give_up_0_on_time(string fault)
    {
        await using var server = new ScriptedHttpServer(_ => fault switch
        {
            "500" => new ScriptedResponse(500, "boom", "text/plain"),
            "silent" => new ScriptedResponse(200, string.Empty) { Silent = true },
            "slow" => new ScriptedResponse(200, "a 1\n", "text/plain") { Delay = TimeSpan.FromSeconds(5) },
            "dropped" => new ScriptedResponse(200, "a 1\nb 2\nc 3\n", "text/plain") { DropAfterBytes = 5 },
            _ => new ScriptedResponse(200, "{}", "application/json"),
        });
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics", ["timeout"] = "3s" });
        var clock = Stopwatch.StartNew();
        var writer = await harness.ScrapeAsync();

        // On time means before the scrape's deadline, so the host keeps what the collector wrote.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        var text = CollectorHarness.Render(writer.Batch);
        Assert.Contains("passthrough_up 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\na 1\n", "\n" + text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Target_down_gives_up_0()
    {
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = $"http://127.0.0.1:{Tools.FreePort()}/metrics" });
        var text = CollectorHarness.Render((await harness.ScrapeAsync()).Batch);
        Assert.Contains("passthrough_up 0\n", text, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Lines, l => l.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenMetrics_responses_are_parsed_as_openmetrics()
    {
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, "# TYPE build info\nbuild_info{v=\"1\"} 1\n# TYPE c counter\nc_total 2\nc_created 1\n# EOF\n", "application/openmetrics-text; version=1.0.0; charset=utf-8"));
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics" });
        var writer = await harness.ScrapeAsync();
        var om = CollectorHarness.Render(writer.Batch, ExpositionFormat.OpenMetrics);
        Assert.Contains("# TYPE build info\nbuild_info{v=\"1\"} 1\n", om, StringComparison.Ordinal);
        Assert.Contains("# TYPE c counter\nc_total 2\n", om, StringComparison.Ordinal);
        Assert.DoesNotContain("c_created", om, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uri", "ftp://x", "uri")]
    [InlineData("prefix", "9bad", "prefix")]
    [InlineData("deny_families:0", "([", "deny_families.0")]
    [InlineData("series_limit", "-1", "series_limit")]
    public void Invalid_options_name_their_key(string key, string value, string reportedKey)
    {
        var settings = new Dictionary<string, string?> { ["uri"] = "http://127.0.0.1:1/metrics", [key] = value };
        var (_, errors) = CollectorHarness.BindOptions(Definition, settings);
        Assert.Contains(errors.Errors, e => e.Key == reportedKey);
    }

    [Fact]
    public void Missing_uri_is_an_error()
    {
        var (_, errors) = CollectorHarness.BindOptions(Definition, new Dictionary<string, string?>());
        Assert.Contains(errors.Errors, e => e.Key == "uri" && e.Message.Contains("required", StringComparison.Ordinal));
    }
}

public class ProcessFamilyTests
{
    [Fact]
    public void Process_families_are_left_out_unless_asked_for_or_prefixed()
    {
        const string document = "process_cpu_seconds_total 1\ngo_goroutines 2\n";
        Assert.Equal(["go_goroutines"], Reemit.Run(document, ExpositionSyntax.Text).Writer.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(["process_cpu_seconds_total", "go_goroutines"], Reemit.Run(document, ExpositionSyntax.Text, new PassthroughSettings { ProcessMetrics = true }).Writer.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(["app_process_cpu_seconds_total", "app_go_goroutines"], Reemit.Run(document, ExpositionSyntax.Text, new PassthroughSettings { Prefix = "app_" }).Writer.Batch.Families.Select(f => f.Definition.Name));
    }
}
