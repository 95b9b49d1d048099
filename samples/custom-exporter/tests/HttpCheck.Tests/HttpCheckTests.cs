using System.Net;
using System.Net.Sockets;
using Exporters.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace HttpCheck.Tests;

public sealed class HttpCheckTests : IAsyncLifetime
{
    private WebApplication? _app;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _app = builder.Build();
        _app.MapGet("/healthz", () => "ok");
        _app.MapGet("/broken", () => Results.StatusCode(503));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app!.DisposeAsync();

    [Fact]
    public async Task A_healthy_url_reads_up_with_its_status()
    {
        await using var harness = CollectorHarness.Create(new HttpCheckCollectorDefinition(), new Dictionary<string, string?> { ["url"] = $"http://127.0.0.1:{_port}/healthz" });
        await harness.CollectAndCompareAsync(
            """
            # HELP http_check_up Whether the URL answered with the expected status (1) or not (0).
            # TYPE http_check_up gauge
            http_check_up 1
            # HELP http_check_status_code The status of the last answer, 0 when there was none.
            # TYPE http_check_status_code gauge
            http_check_status_code 200
            """,
            "http_check_up",
            "http_check_status_code");
        Assert.Empty(await harness.CollectAndLintAsync());
    }

    [Fact]
    public async Task A_wrong_status_reads_down_and_says_why()
    {
        await using var harness = CollectorHarness.Create(new HttpCheckCollectorDefinition(), new Dictionary<string, string?> { ["url"] = $"http://127.0.0.1:{_port}/broken" });
        var text = await harness.CollectAsTextAsync();
        Assert.Equal(0, MetricText.Require(text, "http_check_up"));
        Assert.Equal(503, MetricText.Require(text, "http_check_status_code"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("answered 503, not 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nothing_listening_reads_down_within_the_deadline()
    {
        await using var harness = CollectorHarness.Create(new HttpCheckCollectorDefinition(), new Dictionary<string, string?> { ["url"] = $"http://127.0.0.1:{FreePort()}/healthz" });
        Assert.Equal(0, MetricText.Require(await harness.CollectAsTextAsync(), "http_check_up"));
    }

    [Fact]
    public void Options_are_checked_naming_the_key()
    {
        var (_, errors) = CollectorHarness.BindOptions(new HttpCheckCollectorDefinition(), new Dictionary<string, string?> { ["url"] = "ftp://x", ["expected_status"] = "700" });
        Assert.Equal(["expected_status", "url"], errors.Errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Composed_with_the_host_it_scrapes_beside_the_hosts_own_metrics()
    {
        await using var exporter = await TestExporter.StartAsync(builder => builder.AddHttpCheck(), args: [$"--http-check.url=http://127.0.0.1:{_port}/healthz"]);
        var text = await exporter.ScrapeAsync();
        Assert.Equal(1, MetricText.Require(text, "http_check_up"));
        Assert.Equal(1, MetricText.Require(text, "exporter_collector_success{collector=\"http_check\"}"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
