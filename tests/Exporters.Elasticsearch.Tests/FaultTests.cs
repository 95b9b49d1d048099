using System.Net;
using System.Net.Sockets;
using Exporters.TestSupport;
using Exporters.Testing;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

/// <summary>What the collector does when Elasticsearch misbehaves: the scrape is answered on time and only the affected sub-collector fails.</summary>
[Collection(TimingCollection.Name)]
public sealed class FaultTests
{
    [Fact]
    public async Task Connection_refused_gives_up_0_and_a_clear_log_line()
    {
        var port = Tools.FreePort();
        var (text, elapsed, harness) = await TestSupport.TimedScrapeAsync(new() { ["uri"] = $"http://127.0.0.1:{port}" }, TimeSpan.FromSeconds(5));
        await using var _ = harness;
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"took {elapsed}");
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"cluster-info\"}"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("connection failed", StringComparison.Ordinal) && l.Contains("cluster-info", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_that_accepts_and_never_answers_is_abandoned_before_the_deadline()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    held.Add(await listener.AcceptTcpClientAsync());
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var (text, elapsed, harness) = await TestSupport.TimedScrapeAsync(new() { ["uri"] = $"http://127.0.0.1:{port}" }, TimeSpan.FromSeconds(2));
        await using var _ = harness;
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed}");
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("deadline", StringComparison.Ordinal));
        listener.Stop();
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Slow_body_past_the_deadline_fails_only_that_sub_collector()
    {
        var overrides = new Dictionary<string, RequestDelegate>
        {
            ["/_nodes/_local/stats"] = async context =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"cluster_name\":\"x\",\"nodes\":{");
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            },
        };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, elapsed, harness) = await TestSupport.TimedScrapeAsync(new() { ["uri"] = server.Uri }, TimeSpan.FromSeconds(2));
        await using var _ = harness;
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"took {elapsed}");
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"cluster-health\"}"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.DoesNotContain("elasticsearch_os_load1", text, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_cluster_health_active_shards{", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401, "security_exception", "missing authentication credentials for REST request")]
    [InlineData(403, "security_exception", "action [cluster:monitor/nodes/stats] is unauthorized for user [monitor]")]
    [InlineData(429, "es_rejected_execution_exception", "rejected execution of coordinating operation")]
    [InlineData(500, "null_pointer_exception", "boom")]
    [InlineData(503, "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]")]
    public async Task Http_error_with_elasticsearch_error_body_fails_only_that_sub_collector(int status, string type, string reason)
    {
        var overrides = new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = EsFixtureServer.Error(status, type, reason) };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"cluster-health\"}"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains($"HTTP {status}", StringComparison.Ordinal) && l.Contains(type, StringComparison.Ordinal) && l.Contains("/_nodes/_local/stats", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unauthorized_everywhere_gives_up_0()
    {
        var deny = EsFixtureServer.Error(401, "security_exception", "missing authentication credentials");
        var overrides = new Dictionary<string, RequestDelegate> { ["/"] = deny, ["/_cluster/health"] = deny, ["/_nodes/_local/stats"] = deny };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("html")]
    [InlineData("wrong-root")]
    public async Task Bad_body_fails_only_that_sub_collector(string kind)
    {
        var full = await File.ReadAllTextAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "nodestats", "7.13.1.json"));
        var body = kind switch
        {
            "truncated" => full[..(full.Length / 2)],
            "html" => "<html><body>502 Bad Gateway</body></html>",
            _ => "[1,2,3]",
        };
        var overrides = new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = EsFixtureServer.Body(body) };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.DoesNotContain("elasticsearch_os_load1", text, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Lines, l => l.Contains("nodes", StringComparison.Ordinal) && l.Contains("JSON", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_200_MB_body_is_rejected_by_the_cap_without_being_buffered(bool announceLength)
    {
        const long size = 200L * 1024 * 1024;
        var overrides = new Dictionary<string, RequestDelegate>
        {
            ["/_all/_stats"] = async context =>
            {
                context.Response.ContentType = "application/json";
                if (announceLength)
                {
                    context.Response.ContentLength = size;
                }

                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)' ');
                await context.Response.Body.WriteAsync("{\"indices\":{"u8.ToArray(), context.RequestAborted);
                for (long sent = 0; sent + chunk.Length < size - 20; sent += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            },
        };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var settings = new Dictionary<string, string?> { ["uri"] = server.Uri, ["collectors:indices"] = "true" };
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var (text, _, harness) = await TestSupport.ScrapeAsync(settings, TimeSpan.FromSeconds(20));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await using var _ = harness;
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"indices\"}"));
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("max_response_bytes", StringComparison.Ordinal));
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated / (1024 * 1024)} MB while rejecting the body");
    }

    [Fact]
    public async Task Index_stats_that_break_off_halfway_report_no_index_at_all()
    {
        var full = await File.ReadAllTextAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "indices", "7.17.3.json"));
        var overrides = new Dictionary<string, RequestDelegate> { ["/_all/_stats"] = EsFixtureServer.Body(full[..(full.Length * 3 / 4)]) };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true" });
        await using var _ = harness;
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"indices\"}"));
        Assert.DoesNotContain("elasticsearch_indices_docs_total{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("elasticsearch_indices_omitted{", text, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Lines, l => l.Contains("indices", StringComparison.Ordinal) && l.Contains("JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenSearch_cluster_manager_role_counts_as_master()
    {
        var full = await File.ReadAllTextAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "nodestats", "7.13.1.json"));
        var openSearch = full.Replace("\"master\",", "\"cluster_manager\",", StringComparison.Ordinal);
        Assert.NotEqual(full, openSearch);
        var overrides = new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = EsFixtureServer.Body(openSearch) };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        Assert.Contains("es_master_node=\"true\"", text, StringComparison.Ordinal);
        Assert.Contains("role=\"cluster_manager\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_prefix_in_the_uri_is_kept()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri + "/proxy/es/" });
        await using var _ = harness;
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Contains(server.Requests, r => r.StartsWith("/proxy/es/_cluster/health", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_probe_target_without_scheme_is_read_as_http()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        await using var harness = CollectorHarness.Create(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = "http://127.0.0.1:1" });
        var writer = await harness.ScrapeAsync(target: $"127.0.0.1:{server.Port}");
        Assert.Equal(1, TestSupport.Value(CollectorHarness.Render(writer.Batch), "elasticsearch_up"));
    }

    [Fact]
    public async Task A_failure_that_persists_is_logged_once()
    {
        var overrides = new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = EsFixtureServer.Error(500, "x", "y") };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var harness = CollectorHarness.Create(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = server.Uri });
        await using var _ = harness;
        await harness.ScrapeAsync();
        await harness.ScrapeAsync();
        await harness.ScrapeAsync();
        Assert.Single(harness.Logger.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("HTTP 500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_field_with_a_new_shape_loses_only_that_metric_and_is_logged_once()
    {
        var full = await File.ReadAllTextAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "nodestats", "7.13.1.json"));
        var changed = full.Replace("\"percent\":37", "\"percent\":{\"value\":37}", StringComparison.Ordinal);
        Assert.NotEqual(full, changed);
        var overrides = new Dictionary<string, RequestDelegate> { ["/_nodes/_local/stats"] = EsFixtureServer.Body(changed) };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var harness = CollectorHarness.Create(TestSupport.Definition, new Dictionary<string, string?> { ["uri"] = server.Uri });
        await using var _ = harness;
        var first = CollectorHarness.Render((await harness.ScrapeAsync()).Batch);
        await harness.ScrapeAsync();
        Assert.Equal(1, TestSupport.Value(first, "elasticsearch_scrape_success{collector=\"nodes\"}"));
        Assert.DoesNotContain("elasticsearch_os_cpu_percent{", first, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_os_load1{", first, StringComparison.Ordinal);
        Assert.Single(harness.Logger.Lines, l => l.Contains("os.cpu.percent", StringComparison.Ordinal));
    }
}
