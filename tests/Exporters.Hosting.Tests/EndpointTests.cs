using System.IO.Compression;
using System.Net;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Hosting.Tests;

public class EndpointTests
{
    private const string TwoCollectors = """
        collectors:
          sample: {}
          second:
            type: sample
            fail: true
        """;

    private const string SampleConfig = """
        collectors:
          sample:
            address: "sample://operator:Zq8-very-secret-pw@127.0.0.1:7000"
            password: "Hx-distinct-password-4471"
        """;

    [Theory]
    [InlineData(null, "text/plain; version=0.0.4; charset=utf-8")]
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", "application/openmetrics-text; version=1.0.0; charset=utf-8")]
    [InlineData("text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.2", "text/plain; version=0.0.4; charset=utf-8")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3", "text/plain; version=0.0.4; charset=utf-8")]
    public async Task Metrics_content_type_follows_the_accept_header(string? accept, string expected)
    {
        await using var host = await RunningHost.StartAsync(SampleConfig);
        using var response = await host.SendAsync("/metrics", accept);
        Assert.Equal(expected, response.Content.Headers.ContentType!.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("text/plain;version=0.0.4")]
    [InlineData("text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.2")]
    public async Task Text_format_passes_promtool_check_metrics(string? accept)
    {
        await using var host = await RunningHost.StartAsync(TwoCollectors);
        var text = await host.GetStringAsync("/metrics", accept);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- input ---\n{text}");
        Assert.DoesNotContain("# EOF", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sample_events_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sample_build_info gauge", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")]
    [InlineData("application/openmetrics-text")]
    public async Task OpenMetrics_format_is_valid_openmetrics(string accept)
    {
        await using var host = await RunningHost.StartAsync(TwoCollectors);
        var text = await host.GetStringAsync("/metrics", accept);

        var problems = OpenMetricsValidator.Validate(text);
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n--- input ---\n" + text);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sample_events counter\nsample_events_total{collector_instance=\"sample\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sample_build info\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sample_mode stateset\n", text, StringComparison.Ordinal);
        Assert.Contains("# UNIT sample_latency_seconds seconds\n", text, StringComparison.Ordinal);
        Assert.Contains("sample_latency_seconds_bucket{op=\"get\",collector_instance=\"sample\",le=\"1.0\"} 7", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMetrics_validator_rejects_what_it_should()
    {
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE a counter\na 1\n# EOF\n"));
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE a gauge\na 1\n"));
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE a gauge\na 1\na 2\n# EOF\n"));
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n"));
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n# EOF\n"));
        Assert.NotEmpty(OpenMetricsValidator.Validate("# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n"));
        Assert.Empty(OpenMetricsValidator.Validate("# TYPE a counter\n# HELP a x \\\"y\\\"\na_total{l=\"v\\n\"} 1\n# EOF\n"));
    }

    [Fact]
    public async Task Response_is_gzipped_when_the_client_accepts_gzip()
    {
        await using var host = await RunningHost.StartAsync(SampleConfig);
        using var plain = await host.SendAsync("/metrics", acceptEncoding: "identity");
        using var zipped = await host.SendAsync("/metrics", acceptEncoding: "gzip");

        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], zipped.Content.Headers.ContentEncoding);
        await using var unzip = new GZipStream(await zipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        var text = await reader.ReadToEndAsync();
        Assert.Equal(1, MetricText.Require(text, "sample_up"));
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Status_page_lists_collectors_and_never_shows_a_secret()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                address: "sample://operator:Zq8-very-secret-pw@127.0.0.1:7000"
                password: "Hx-distinct-password-4471"
              broken:
                type: sample
                fail: true
                password: "Kv-another-password-9912"
              unreachable:
                type: sample
                down: true
                address: "sample://op:Uv-down-password-3319@127.0.0.1:7001"
                password: "Wt-down-option-6620"
            """);
        await host.GetStringAsync("/metrics");
        await host.GetStringAsync("/metrics");
        var page = await host.GetStringAsync("/");
        var metrics = await host.GetStringAsync("/metrics");

        // Target up is the collector's own up metric: a failed scrape and a successful one whose target did not
        // answer are both down, and each says why: the error, or what the collector logged.
        Assert.Equal(0, MetricText.Require(metrics, "sample_up{collector_instance=\"unreachable\"}"));
        Assert.Matches("data-collector=\"sample\"><th scope=\"row\" role=\"rowheader\"><a href=\"/metrics/sample\">sample</a>.*?<span class=\"badge ok\">up</span>", page);
        Assert.Matches("data-collector=\"broken\">.*?<span class=\"badge bad\">scrape failed</span><p class=\"reason bad\">sample failure as configured \\(password &lt;secret&gt; must not show\\)</p>", page);
        Assert.Matches("data-collector=\"unreachable\">.*?<span class=\"badge bad\">down</span><p class=\"reason bad\">sample target sample://127.0.0.1:7001 did not answer: connection refused \\(as configured; password &lt;secret&gt; must not show\\)</p>", page);

        Assert.Contains("<code>sample://<wbr>127.<wbr>0.<wbr>0.<wbr>1<wbr>:7000</code>", page, StringComparison.Ordinal);

        // Each scrape of the configured target is charted; the page itself scrapes nothing.
        Assert.Matches("<title id=\"chart-\\d+-title\">Last 2 scrapes of sample</title>", page);
        Assert.Matches("<title id=\"chart-\\d+-title\">Last 2 scrapes of broken</title>", page);
        Assert.Contains("2 failed, 0 with the target down", page, StringComparison.Ordinal);
        Assert.Contains("0 failed, 2 with the target down", page, StringComparison.Ordinal);
        foreach (var secret in new[] { "Zq8-very-secret-pw", "Hx-distinct-password-4471", "Kv-another-password-9912", "Uv-down-password-3319", "Wt-down-option-6620" })
        {
            Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Status_page_loads_nothing_and_reloads_itself_as_the_request_asks()
    {
        await using var host = await RunningHost.StartAsync("collectors: {sample: {}}");
        using var response = await host.SendAsync("/");
        Assert.Equal(Web.StatusPage.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());

        Assert.Contains("<meta http-equiv=\"refresh\" content=\"10\">", await host.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"30\">", await host.GetStringAsync("/?refresh=30"), StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"2\">", await host.GetStringAsync("/?refresh=1"), StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"10\">", await host.GetStringAsync("/?refresh=-5"), StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", await host.GetStringAsync("/?refresh=0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_page_keeps_a_content_security_policy_set_in_the_web_config()
    {
        var web = Path.Combine(Tools.TempDirectory("web"), "web.yml");
        await File.WriteAllTextAsync(web, "http_server_config:\n  headers:\n    Content-Security-Policy: \"default-src 'self'\"\n");
        await using var host = await RunningHost.StartAsync("collectors: {sample: {}}", [$"--web.config.file={web}"]);
        using var response = await host.SendAsync("/");
        Assert.Equal("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Probe_is_off_unless_enabled()
    {
        await using var host = await RunningHost.StartAsync(SampleConfig);
        using var response = await host.SendAsync("/probe?target=127.0.0.1:7000&collector=sample");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Probe_scrapes_allowed_targets_and_refuses_the_rest()
    {
        await using var host = await RunningHost.StartAsync("""
            probe:
              enabled: true
              allowed_targets: ["127.0.0.1:7*", "*.cache.svc.cluster.local:6379"]
            collectors:
              sample:
                address: "127.0.0.1:7000"
            """);

        var text = await host.GetStringAsync("/probe?target=sample://user:pw@127.0.0.1:7001&collector=sample");
        Assert.Contains("sample_build_info{version=\"1.2.3\",target=\"sample://127.0.0.1:7001\"} 1", text, StringComparison.Ordinal);
        Assert.Equal(1, MetricText.Require(text, "exporter_collector_success{collector=\"sample\"}"));

        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync("/probe?target=redis-0.cache.svc.cluster.local:6379")).StatusCode);
        foreach (var refused in new[] { "169.254.169.254:80", "http://127.0.0.1@evil.example:7000/", "127.0.0.2:7000", "10.0.0.1:6379", "evil.cache.svc.cluster.local.attacker.net:6379" })
        {
            using var response = await host.SendAsync("/probe?collector=sample&target=" + Uri.EscapeDataString(refused));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{refused} was not refused: {response.StatusCode}");
        }

        using var missing = await host.SendAsync("/probe?collector=sample");
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        using var unknown = await host.SendAsync("/probe?collector=nope&target=127.0.0.1:7000");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        // The configured target's last result is not overwritten by probes.
        var page = await host.GetStringAsync("/");
        Assert.Contains("not scraped yet", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_applies_a_valid_change_and_keeps_running_on_an_invalid_one()
    {
        var path = Path.Combine(Tools.TempDirectory("reload"), "config.yaml");
        await using var host = await RunningHost.StartAsync("collectors: {sample: {series: 1}}", configPath: path);

        await File.WriteAllTextAsync(path, "collectors: {sample: {series: 1}, extra: {type: sample, series: 2}}");
        using (var ok = await host.SendAsync("/-/reload", method: HttpMethod.Post))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var text = await host.GetStringAsync("/metrics");
        Assert.Equal(1, MetricText.Require(text, "sample_value{index=\"1\",collector_instance=\"extra\"}"));
        Assert.Equal(1, MetricText.Require(text, "exporter_config_last_reload_successful"));

        await File.WriteAllTextAsync(path, "collectors: {sample: {series: 1, timeout: soon}}");
        using (var failed = await host.SendAsync("/-/reload", method: HttpMethod.Post))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Contains("collectors.sample.timeout", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        text = await host.GetStringAsync("/metrics");
        Assert.Equal(0, MetricText.Require(text, "exporter_config_last_reload_successful"));
        Assert.Equal(1, MetricText.Require(text, "sample_value{index=\"1\",collector_instance=\"extra\"}"));
        Assert.Contains("collectors.sample.timeout", await host.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_file_is_reloaded_without_a_request()
    {
        var path = Path.Combine(Tools.TempDirectory("watch"), "config.yaml");
        await using var host = await RunningHost.StartAsync("collectors: {sample: {series: 1}}", configPath: path);
        await File.WriteAllTextAsync(path, "collectors: {sample: {series: 4}}");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        string text;
        do
        {
            await Task.Delay(100);
            text = await host.GetStringAsync("/metrics");
        }
        while (MetricText.Value(text, "sample_value{index=\"3\"}") is null && DateTime.UtcNow < deadline);

        Assert.Equal(3, MetricText.Require(text, "sample_value{index=\"3\"}"));
    }

    [Fact]
    public async Task Reload_is_post_only()
    {
        await using var host = await RunningHost.StartAsync(null);
        using var response = await host.SendAsync("/-/reload");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
