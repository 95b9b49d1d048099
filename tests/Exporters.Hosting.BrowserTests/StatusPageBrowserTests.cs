using System.Diagnostics;
using System.Globalization;
using Exporters.SamplePlugin;
using Exporters.TestSupport;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Exporters.Hosting.BrowserTests;

/// <summary>The status page as an operator sees it: the real host in this process, opened in Debian's chromium.</summary>
public class StatusPageBrowserTests(ITestOutputHelper output)
{
    private const string RedisPassword = "Rq7-redis-requirepass-5150";
    private const string RefusedUriPassword = "Dn4-refused-uri-password-2718";
    private const string FailingOptionPassword = "Fl2-failing-option-password-1618";

    private static readonly string[] Secrets = [RedisPassword, RefusedUriPassword, FailingOptionPassword];

    [Fact]
    public async Task Healthy_refused_and_failing_collectors_read_right_on_a_wide_screen_a_phone_and_in_dark_mode()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", RedisPassword);
        var refusedPort = Tools.FreePort();
        await using var host = await InProcessHost.StartAsync(
            $"""
            collectors:
              cache:
                type: redis
                address: "redis://127.0.0.1:{redis.Port}"
                password: "{RedisPassword}"
                max_series: 500
              sessions:
                type: redis
                address: "redis://app:{RefusedUriPassword}@127.0.0.1:{refusedPort}"
                timeout: 3s
              broken:
                type: sample
                fail: true
                password: "{FailingOptionPassword}"
            """,
            additionalCollectors: [new SampleCollectorDefinition()]);
        for (var i = 0; i < 3; i++)
        {
            await host.ScrapeAsync();
        }

        var origin = $"http://127.0.0.1:{host.Port}";
        await using (var wide = await Chromium.LaunchAsync(origin))
        {
            var response = await wide.OpenAsync(origin + "/");
            var page = wide.Page;
            Assert.Equal("2 down - Exporters", await page.TitleAsync());
            Assert.StartsWith("default-src 'none';", response.Headers["content-security-policy"], StringComparison.Ordinal);

            // The inline style applied: a blocked style block would leave the browser's defaults.
            Assert.Equal("1920px", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).maxWidth"));

            var cache = page.Locator("tr[data-collector='cache']");
            var cacheText = await cache.InnerTextAsync();
            Assert.Contains($"redis://127.0.0.1:{redis.Port}", cacheText, StringComparison.Ordinal);
            Assert.Equal("up", await cache.Locator(".badge").InnerTextAsync());
            Assert.Equal(0, await cache.Locator(".reason").CountAsync());
            Assert.Matches(@"of 500 \(\d+(\.\d)?%\)", cacheText);
            Assert.Equal("/metrics/cache", await cache.GetByRole(AriaRole.Link, new() { Name = "cache", Exact = true }).GetAttributeAsync("href"));
            Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "Last 3 scrapes of cache", Exact = true }).IsVisibleAsync());
            Assert.Equal(0, await cache.Locator(".mark-failed, .mark-down").CountAsync());

            // Refused: the scrape succeeded, redis_up is 0, and the reason is the collector's log line.
            var sessions = page.Locator("tr[data-collector='sessions']");
            Assert.Equal("down", await sessions.Locator(".badge").InnerTextAsync());
            Assert.Equal($"redis scrape of redis://127.0.0.1:{refusedPort} failed: connect: ConnectionRefused", await sessions.Locator(".reason").InnerTextAsync());
            Assert.Contains($"redis://127.0.0.1:{refusedPort}", await sessions.InnerTextAsync(), StringComparison.Ordinal);
            var sessionsChart = page.GetByRole(AriaRole.Img, new() { Name = "Last 3 scrapes of sessions", Exact = true });
            Assert.True(await sessionsChart.IsVisibleAsync());
            Assert.Contains("0 failed, 3 with the target down", await sessions.Locator("svg desc").TextContentAsync(), StringComparison.Ordinal);
            Assert.Equal(3, CountSegments(await sessions.Locator("path.mark-down").GetAttributeAsync("d")));

            // Failing: the scrape threw; its marks are drawn and visible.
            var broken = page.Locator("tr[data-collector='broken']");
            Assert.Equal("scrape failed", await broken.Locator(".badge").InnerTextAsync());
            Assert.Equal("sample failure as configured (password <secret> must not show)", await broken.Locator(".reason").InnerTextAsync());
            Assert.True(await broken.Locator("path.mark-failed").IsVisibleAsync());
            Assert.Equal(3, CountSegments(await broken.Locator("path.mark-failed").GetAttributeAsync("d")));
            Assert.Contains("3 failed", await broken.Locator(".chart-note").InnerTextAsync(), StringComparison.Ordinal);

            Assert.Equal(6, await page.GetByRole(AriaRole.Columnheader).CountAsync());
            Assert.Equal(3, await page.GetByRole(AriaRole.Rowheader).CountAsync());
            var hostSection = await page.Locator("#host").InnerTextAsync();
            Assert.Matches(@"Resident memory\s+\d+(\.\d)? MiB", hostSection);
            Assert.Matches(@"Uptime\s+\d", hostSection);
            Assert.Contains(host.ConfigPath!, hostSection, StringComparison.Ordinal);

            Assert.Equal(0, await page.EvaluateAsync<int>(PageChecks.HorizontalOverflow));
            Assert.Empty(await page.EvaluateAsync<string[]>(PageChecks.Contrast));
            await AssertNoSecretAsync(page, response);
            output.WriteLine("wide: " + await wide.ScreenshotAsync("status-wide"));
            wide.AssertNoProblems();

            // The link leads to the instance's own metrics.
            await cache.GetByRole(AriaRole.Link, new() { Name = "cache", Exact = true }).ClickAsync();
            await page.WaitForURLAsync(origin + "/metrics/cache");
            Assert.Matches(@"\nredis_up(\{[^}]*\})? 1\n", await page.Locator("body").InnerTextAsync());
        }

        await using (var phone = await Chromium.LaunchAsync(origin, width: 390, height: 844, phone: true))
        {
            var response = await phone.OpenAsync(origin + "/");
            var page = phone.Page;
            Assert.Equal(0, await page.EvaluateAsync<int>(PageChecks.HorizontalOverflow));
            Assert.True(await page.Locator("tr[data-collector='sessions'] .reason").IsVisibleAsync());
            Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "Last 3 scrapes of broken", Exact = true }).IsVisibleAsync());

            // Stacked rows keep their table semantics and label each cell.
            Assert.Equal(3, await page.GetByRole(AriaRole.Rowheader).CountAsync());
            Assert.Equal("\"Status\"", await page.Locator("tr[data-collector='cache'] td.status").EvaluateAsync<string>("e => getComputedStyle(e, '::before').content"));
            var chartWidth = await page.Locator("tr[data-collector='cache'] svg.chart").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
            Assert.InRange(chartWidth, 200, 390);

            Assert.Empty(await page.EvaluateAsync<string[]>(PageChecks.Contrast));
            await AssertNoSecretAsync(page, response);
            output.WriteLine("phone: " + await phone.ScreenshotAsync("status-phone"));
            output.WriteLine("phone, first screen: " + await phone.ScreenshotAsync("status-phone-first-screen", fullPage: false));
            phone.AssertNoProblems();
        }

        await using (var dark = await Chromium.LaunchAsync(origin, width: 1160, height: 800, dark: true))
        {
            var response = await dark.OpenAsync(origin + "/");
            Assert.Equal(0, await dark.Page.EvaluateAsync<int>(PageChecks.HorizontalOverflow));
            Assert.Empty(await dark.Page.EvaluateAsync<string[]>(PageChecks.Contrast));
            await AssertNoSecretAsync(dark.Page, response);
            output.WriteLine("dark: " + await dark.ScreenshotAsync("status-dark"));
            dark.AssertNoProblems();
        }
    }

    [Fact]
    public async Task Failed_reload_probe_allow_list_and_min_interval_cache_are_shown()
    {
        await using var host = await InProcessHost.StartAsync(
            """
            probe:
              enabled: true
              allowed_targets: ["127.0.0.1:*", "*.redis.svc.cluster.local:6379"]
            collectors:
              sample:
                series: 4
                min_interval: 30s
            """,
            additionalCollectors: [new SampleCollectorDefinition()]);
        await host.ScrapeAsync();
        await host.ScrapeAsync();
        await File.WriteAllTextAsync(host.ConfigPath!, "collectors: {sample: {series: 4, timeout: soon}}");
        using (var reloaded = await host.Client.PostAsync(new Uri("/-/reload", UriKind.Relative), null))
        {
            Assert.Equal(500, (int)reloaded.StatusCode);
        }

        var origin = $"http://127.0.0.1:{host.Port}";
        await using var browser = await Chromium.LaunchAsync(origin, width: 1024, height: 900);
        await browser.OpenAsync(origin + "/");
        var page = browser.Page;
        Assert.Equal(0, await page.EvaluateAsync<int>(PageChecks.HorizontalOverflow));

        var notice = page.Locator("#reload-notice");
        Assert.True(await notice.IsVisibleAsync());
        Assert.StartsWith("The last configuration reload failed", await notice.InnerTextAsync(), StringComparison.Ordinal);
        await notice.GetByRole(AriaRole.Link, new() { Name = "Why" }).ClickAsync();
        await page.WaitForURLAsync(origin + "/#reload");
        var reload = page.Locator("#reload");
        Assert.StartsWith("failed", await reload.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("collectors.sample.timeout", await reload.Locator("pre").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await reload.Locator("pre").IsVisibleAsync());

        var probe = await page.Locator("#probe").InnerTextAsync();
        Assert.Contains("127.0.0.1:*", probe, StringComparison.Ordinal);
        Assert.Contains("*.redis.svc.cluster.local:6379", probe, StringComparison.Ordinal);

        // The running configuration is the old one, with its cache.
        var sample = page.Locator("tr[data-collector='sample']");
        Assert.Equal("up", await sample.Locator(".badge").InnerTextAsync());
        var scraping = await sample.Locator("td[data-label='Scraping']").InnerTextAsync();
        Assert.Matches(@"min_interval 30 s: results cached for \d+ s more; 1 answered from cache", scraping);
        Assert.Contains("timeout 10 s, single flight on", scraping, StringComparison.Ordinal);
        Assert.Contains("idle; 1 scrape, 0 failed since start", scraping, StringComparison.Ordinal);
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "Last 1 scrape of sample", Exact = true }).IsVisibleAsync());

        Assert.Empty(await page.EvaluateAsync<string[]>(PageChecks.Contrast));
        output.WriteLine("reload failed: " + await browser.ScreenshotAsync("status-reload-failed"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Page_reloads_itself_and_the_stop_link_turns_that_off()
    {
        await using var host = await InProcessHost.StartAsync("collectors: {sample: {}}", additionalCollectors: [new SampleCollectorDefinition()]);
        var origin = $"http://127.0.0.1:{host.Port}";
        await using var browser = await Chromium.LaunchAsync(origin);
        var page = browser.Page;
        await browser.OpenAsync(origin + "/?refresh=2");
        var first = await page.Locator("header p.muted").InnerTextAsync();
        Assert.Contains("reloads every 2 s", first, StringComparison.Ordinal);

        // The meta refresh fetches the page again by itself.
        await page.WaitForRequestAsync(origin + "/?refresh=2", new() { Timeout = 10_000 });
        await page.WaitForLoadStateAsync(LoadState.Load);

        await page.GetByRole(AriaRole.Link, new() { Name = "stop" }).ClickAsync();
        await page.WaitForURLAsync(origin + "/?refresh=0");
        Assert.Equal(0, await page.Locator("meta[http-equiv='refresh']").CountAsync());
        Assert.Contains("automatic reload is off", await page.Locator("header p.muted").InnerTextAsync(), StringComparison.Ordinal);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Fifty_collector_instances_load_in_full_and_stay_readable()
    {
        var yaml = new System.Text.StringBuilder("collectors:\n");
        for (var i = 0; i < 50; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  sample_{i:00}: {{type: sample, series: 20, address: \"sample://10.0.{i}.1:7000\"")
                .Append(i % 11 == 5 ? ", fail: true" : i % 7 == 3 ? ", down: true" : string.Empty)
                .Append("}\n");
        }

        await using var host = await InProcessHost.StartAsync(yaml.ToString(), additionalCollectors: [new SampleCollectorDefinition()]);
        for (var i = 0; i < 20; i++)
        {
            await host.ScrapeAsync();
        }

        var origin = $"http://127.0.0.1:{host.Port}";
        var clock = Stopwatch.StartNew();
        var html = await host.Client.GetStringAsync(new Uri("/", UriKind.Relative));
        clock.Stop();

        await using var browser = await Chromium.LaunchAsync(origin);
        await browser.OpenAsync(origin + "/");
        var page = browser.Page;
        var timing = await page.EvaluateAsync<double[]>(PageChecks.LoadTiming);
        output.WriteLine($"50 instances x 20 scrapes: {html.Length / 1024.0:0.0} KiB; first GET over HTTP {clock.Elapsed.TotalMilliseconds:0.0} ms; in chromium: server answered in {timing[1]:0.0} ms, loaded in {timing[0]:0.0} ms");

        await page.ReloadAsync();
        var again = await page.EvaluateAsync<double[]>(PageChecks.LoadTiming);
        output.WriteLine($"reloaded: server answered in {again[1]:0.0} ms, loaded in {again[0]:0.0} ms");
        Assert.Equal(50, await page.GetByRole(AriaRole.Rowheader).CountAsync());
        Assert.Equal(50, await page.Locator("svg.chart[role='img']").CountAsync());
        Assert.True(await page.GetByRole(AriaRole.Img, new() { Name = "Last 20 scrapes of sample_49", Exact = true }).IsVisibleAsync());
        Assert.Equal(6, await page.Locator("tr.state-down").CountAsync());
        Assert.Equal(5, await page.Locator("tr.state-failed").CountAsync());
        Assert.StartsWith("50 collector instances: 39 up, 11 down or failing.", await page.Locator("#summary").InnerTextAsync(), StringComparison.Ordinal);

        // The ones that need attention are listed first; each link lands on its row.
        var attention = page.Locator("#attention a");
        Assert.Equal(11, await attention.CountAsync());
        await attention.Filter(new() { HasText = "sample_45" }).ClickAsync();
        await page.WaitForURLAsync(origin + "/#collector-45");
        Assert.True(await page.Locator("tr[data-collector='sample_45']").IsVisibleAsync());
        Assert.Equal("down", await page.Locator("tr[data-collector='sample_45'] .badge").InnerTextAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>(PageChecks.HorizontalOverflow));
        output.WriteLine("fifty: " + await browser.ScreenshotAsync("status-fifty"));
        output.WriteLine("fifty, first screen: " + await browser.ScreenshotAsync("status-fifty-first-screen", fullPage: false));
        browser.AssertNoProblems();
    }

    private static int CountSegments(string? pathData) => (pathData ?? string.Empty).Count(c => c == 'M');

    private static async Task AssertNoSecretAsync(IPage page, IResponse response)
    {
        var served = await response.TextAsync();
        var rendered = await page.ContentAsync();
        var visible = await page.Locator("body").InnerTextAsync();
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, served, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, rendered, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, visible, StringComparison.Ordinal);
        }
    }
}
