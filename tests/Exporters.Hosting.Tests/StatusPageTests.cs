using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Exporters.Abstractions.Metrics;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;
using Exporters.Hosting.Web;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Exporters.Hosting.Tests;

/// <summary>The status page renderer on snapshots made by hand: fast, no host, no browser.</summary>
public class StatusPageTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2025, 3, 14, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_instance_shows_whether_its_target_is_up_and_why_not()
    {
        var page = Render(Snapshot(
            Healthy("cache", scrapes: 60),
            Instance("orders", "redis", "redis://127.0.0.1:6380") with
            {
                Last = Outcome(success: true, targetUp: 0),
                History = Records(5, i => Record(i, success: true, up: 0)),
                LastProblem = new LoggedProblem(Now.AddSeconds(-3), LogLevel.Warning, "redis scrape of 127.0.0.1:6380 failed: Connection refused"),
            },
            Instance("search", "elasticsearch", "http://127.0.0.1:9200") with
            {
                Last = Outcome(success: false, targetUp: 0, error: "deadline of 2s exceeded"),
                History = Records(4, i => Record(i, success: i != 3, up: i == 3 ? 0 : 1)),
            },
            Instance("fresh", "redis", "redis://127.0.0.1:6381")));

        var cache = Row(page, "cache");
        Assert.Contains("class=\"state-up\"", cache, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge ok\">up</span>", cache, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"reason", cache, StringComparison.Ordinal);

        var orders = Row(page, "orders");
        Assert.Contains("<span class=\"badge bad\">down</span>", orders, StringComparison.Ordinal);
        Assert.Contains("<p class=\"reason bad\">redis scrape of 127.0.0.1:6380 failed: Connection refused</p>", orders, StringComparison.Ordinal);
        Assert.Contains("Logged 3 s ago (warning)", orders, StringComparison.Ordinal);

        var search = Row(page, "search");
        Assert.Contains("<span class=\"badge bad\">scrape failed</span>", search, StringComparison.Ordinal);
        Assert.Contains("<p class=\"reason bad\">deadline of 2s exceeded</p>", search, StringComparison.Ordinal);

        Assert.Contains("not scraped yet", Row(page, "fresh"), StringComparison.Ordinal);
        Assert.Contains("<p id=\"attention\"><strong class=\"bad\">Down or failing:</strong> <a href=\"#collector-1\">orders</a>, <a href=\"#collector-2\">search</a></p>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"attention\"", Render(Snapshot(Healthy("cache", 1))), StringComparison.Ordinal);
        Assert.Contains("4 collector instances: <span class=\"ok\">1 up</span>, <span class=\"bad\">2 down or failing</span>, 1 not scraped yet", page, StringComparison.Ordinal);
        Assert.Contains("<title>2 down - Exporters</title>", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/metrics/orders\">orders</a>", orders, StringComparison.Ordinal);

        // Addresses wrap at their punctuation, not in the middle of a number.
        Assert.Contains("<code>redis://<wbr>127.<wbr>0.<wbr>0.<wbr>1<wbr>:6380</code>", orders, StringComparison.Ordinal);
    }

    [Fact]
    public void Down_target_without_a_logged_reason_says_so()
    {
        var page = Render(Snapshot(Instance("quiet", "sample", null) with { Last = Outcome(success: true, targetUp: 0), History = Records(1, i => Record(i, true, 0)) }));
        Assert.Contains("The collector reported its target down and logged no reason.", Row(page, "quiet"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_warning_on_a_healthy_instance_is_shown_as_a_warning_with_its_age()
    {
        var page = Render(Snapshot(Healthy("cache", 3) with { LastProblem = new LoggedProblem(Now.AddMinutes(-5), LogLevel.Warning, "redis key checks were cut short by the scrape deadline") }));
        Assert.Contains("<p class=\"reason warn\">Last warning, 5 min 0 s ago: redis key checks were cut short by the scrape deadline</p>", Row(page, "cache"), StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_has_a_title_a_description_one_bar_per_scrape_and_marks_each_failure()
    {
        var history = Records(60, i => Record(i, success: i is not (10 or 50), up: i is 20 or 21 ? 0 : 1, milliseconds: 1 + i));
        var page = Render(Snapshot(Healthy("cache", 0) with { History = history }));
        var svg = Regex.Match(page, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline).Value;

        Assert.Contains("role=\"img\" aria-labelledby=\"chart-0-title\" aria-describedby=\"chart-0-desc\"", svg, StringComparison.Ordinal);
        Assert.Contains("<title id=\"chart-0-title\">Last 60 scrapes of cache</title>", svg, StringComparison.Ordinal);
        Assert.Contains("2 failed, 2 with the target down", svg, StringComparison.Ordinal);
        Assert.Contains("longest 60 ms", svg, StringComparison.Ordinal);
        Assert.Equal(56, Segments(svg, "bar-up"));
        Assert.Equal(2, Segments(svg, "bar-down"));
        Assert.Equal(2, Segments(svg, "bar-failed"));
        Assert.Equal(2, Segments(svg, "mark-failed"));
        Assert.Equal(2, Segments(svg, "mark-down"));

        // The longest scrape is the full height; the newest is at the right edge.
        Assert.EndsWith("M295 40h4v-38h-4z", PathData(svg, "bar-up"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"bad\">2 failed</span>", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_of_a_few_scrapes_fills_from_the_right()
    {
        var page = Render(Snapshot(Healthy("cache", 2)));
        var svg = Regex.Match(page, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Equal("M290 40h4v-38h-4zM295 40h4v-38h-4z", PathData(svg, "bar-up"));
        Assert.Contains("Last 2 scrapes of cache", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_a_redactor_knows_appears_in_the_page_and_markup_in_messages_is_escaped()
    {
        var redactor = new SecretRedactor();
        redactor.Register("Pw-target-5521");
        redactor.Register("Pw-option-8830");
        var snapshot = Snapshot(
            Instance("cache", "redis", "redis://app:Pw-target-5521@127.0.0.1:6379") with
            {
                Last = Outcome(success: false, targetUp: 0, error: "AUTH Pw-option-8830 rejected <script>alert(1)</script>"),
                History = Records(1, i => Record(i, false, 0)),
                LastProblem = new LoggedProblem(Now, LogLevel.Error, "login with Pw-option-8830 failed"),
            }) with
        {
            Host = Host() with
            {
                LastReloadSuccessful = false,
                LastReloadAttempt = Now.AddSeconds(-30),
                LastReloadError = "collectors.cache.password: Pw-option-8830 is not valid",
                ProbeEnabled = true,
                ProbeAllowedTargets = ["redis://app:Pw-target-5521@10.0.0.0/8"],
                ConfigFile = "/etc/Pw-target-5521/config.yaml",
            },
        };

        var page = StatusPage.Render(snapshot, redactor);

        Assert.DoesNotContain("Pw-target-5521", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Pw-option-8830", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("AUTH &lt;secret&gt; rejected &lt;script&gt;", page, StringComparison.Ordinal);
        Assert.Contains("collectors.cache.password: &lt;secret&gt; is not valid", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_reload_is_announced_at_the_top_and_explained_in_the_host_section()
    {
        var failed = Render(Snapshot(Healthy("cache", 1)) with
        {
            Host = Host() with { LastReloadSuccessful = false, LastReloadAttempt = Now.AddSeconds(-42), LastReloadError = "collectors.cache.timeout: 'soon' is not a duration\ncollectors.cache.max_series: must be positive" },
        });
        Assert.Contains("The last configuration reload failed</strong> (42 s ago)", failed, StringComparison.Ordinal);
        Assert.Equal(
            "<dd id=\"reload\"><span class=\"bad\">failed</span> 2025-03-14 11:59:18Z (42 s ago); the previous configuration is still running:<pre>collectors.cache.timeout: &#x27;soon&#x27; is not a duration&#xA;collectors.cache.max_series: must be positive</pre></dd>",
            Regex.Match(failed, "<dd id=\"reload\">.*?</dd>", RegexOptions.Singleline).Value);

        var succeeded = Render(Snapshot(Healthy("cache", 1)) with { Host = Host() with { LastReloadAttempt = Now.AddMinutes(-2) } });
        Assert.DoesNotContain("reload-notice", succeeded, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"reload\"><span class=\"ok\">succeeded</span> 2025-03-14 11:58:00Z (2 min 0 s ago)</dd>", succeeded, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"reload\">none since start</dd>", Render(Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_section_shows_version_uptime_memory_configuration_and_probe()
    {
        var page = Render(Snapshot() with
        {
            Host = Host() with { ResidentMemoryBytes = 47_400_000, ConfigFile = "/etc/exporters/config.yaml", ProbeEnabled = true, ProbeAllowedTargets = ["127.0.0.1/32", "redis.internal:6379"] },
        });

        Assert.Contains("<dt>Version</dt><dd>1.2.3 (revision <code>abc123</code>, .NET 10.0.1)</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Uptime</dt><dd>1 d 2 h (started 2025-03-13 10:00:00Z)</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Resident memory</dt><dd>45.2 MiB</dd>", page, StringComparison.Ordinal);
        Assert.Contains("<code>/etc/exporters/config.yaml</code>", page, StringComparison.Ordinal);
        Assert.Contains("enabled for these targets:<ul class=\"plain\"><li><code>127.0.0.1/32</code></li><li><code>redis.internal:6379</code></li></ul>", page, StringComparison.Ordinal);
        Assert.Contains("No collector is configured.", page, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"probe\">disabled</dd>", Render(Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void Series_are_shown_against_max_series_and_drops_are_called_out()
    {
        var capped = Healthy("big", 2) with
        {
            MaxSeries = 1000,
            History = Records(2, i => Record(i, true, 1, series: 1000)),
            Last = Outcome(success: true, targetUp: 1) with { Dropped = 250 },
            DroppedTotal = 500,
        };
        var near = Healthy("near", 1) with { MaxSeries = 1000, History = Records(1, i => Record(i, true, 1, series: 850)) };
        var page = Render(Snapshot(capped, near));

        Assert.Contains("<strong>1,000</strong> of 1,000 <span class=\"bad\">(100%)</span>", Row(page, "big"), StringComparison.Ordinal);
        Assert.Contains("<meter min=\"0\" max=\"1000\" low=\"500\" high=\"800\" optimum=\"0\" value=\"1000\"", Row(page, "big"), StringComparison.Ordinal);
        Assert.Contains("Cap reached: 250 series dropped in the last scrape.", Row(page, "big"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"warn\">(85%)</span>", Row(page, "near"), StringComparison.Ordinal);
    }

    [Fact]
    public void Scraping_column_shows_min_interval_cache_and_single_flight_state()
    {
        var cached = Healthy("cached", 1) with { MinInterval = TimeSpan.FromSeconds(30), CacheHits = 7, CollectorRunning = true, Last = Outcome(true, 1) with { Finished = Now.AddSeconds(-10) } };
        var plain = Healthy("plain", 1) with { SingleFlight = false };
        var page = Render(Snapshot(cached, plain));

        Assert.Contains("<li><code>min_interval</code> 30 s: results cached for 20 s more; 7 answered from cache</li>", Row(page, "cached"), StringComparison.Ordinal);
        Assert.Contains("<li>timeout 10 s, single flight on</li>", Row(page, "cached"), StringComparison.Ordinal);
        Assert.Contains("<li><span class=\"warn\">scraping now</span>; 1 scrape, 0 failed since start</li>", Row(page, "cached"), StringComparison.Ordinal);
        Assert.Contains("<li><code>min_interval</code> off</li>", Row(page, "plain"), StringComparison.Ordinal);
        Assert.Contains("<li>timeout 10 s, single flight off</li>", Row(page, "plain"), StringComparison.Ordinal);
        Assert.Contains("<li class=\"muted\">idle; 1 scrape, 0 failed since start</li>", Row(page, "plain"), StringComparison.Ordinal);
    }

    [Fact]
    public void Page_reloads_itself_unless_asked_not_to_and_loads_nothing()
    {
        var page = Render(Snapshot(Healthy("cache", 1)));
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"10\">", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"?refresh=0\">stop</a>", page, StringComparison.Ordinal);

        var still = StatusPage.Render(Snapshot(Healthy("cache", 1)), new SecretRedactor(), refreshSeconds: 0);
        Assert.DoesNotContain("http-equiv=\"refresh\"", still, StringComparison.Ordinal);

        // No script, and every reference stays on the host or inline.
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        foreach (Match reference in Regex.Matches(page, "(?:href|src)=\"([^\"]*)\""))
        {
            var value = reference.Groups[1].Value;
            Assert.True(value.StartsWith('/') || value.StartsWith('?') || value.StartsWith('#') || value == "data:,", $"reference to {value}");
        }
    }

    [Fact]
    public void Content_security_policy_allows_exactly_the_style_block_of_the_page()
    {
        var page = Render(Snapshot(Healthy("cache", 1)));
        var style = Regex.Match(page, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)));

        Assert.Contains($"style-src 'sha256-{hash}'", StatusPage.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none';", StatusPage.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_has_column_and_row_headers_for_every_instance()
    {
        var page = Render(Snapshot(Healthy("a", 1), Healthy("b", 1)));
        Assert.Equal(6, Regex.Count(page, "<th scope=\"col\""));
        Assert.Equal(2, Regex.Count(page, "<th scope=\"row\""));
        Assert.Equal(2 * 5, Regex.Count(page, "<td role=\"cell\" data-label=\""));
    }

    [Fact]
    public void Fifty_instances_with_full_histories_render_a_complete_page_of_sensible_size()
    {
        var instances = Enumerable.Range(0, 50).Select(i => Healthy($"redis-{i:00}", 60) with
        {
            Target = $"redis://10.1.0.{i}:6379",
            History = Records(60, j => Record(j, success: (i + j) % 17 != 0, up: (i + j) % 23 == 0 ? 0 : 1, milliseconds: 1 + ((i * j) % 40), series: 900 + i)),
        }).ToArray();
        var snapshot = Snapshot(instances);
        var redactor = new SecretRedactor();
        redactor.Register("not-in-the-page-1");
        redactor.Register("not-in-the-page-2");

        StatusPage.Render(snapshot, redactor);
        var clock = Stopwatch.StartNew();
        const int Rounds = 20;
        var page = string.Empty;
        for (var round = 0; round < Rounds; round++)
        {
            page = StatusPage.Render(snapshot, redactor);
        }

        clock.Stop();
        output.WriteLine($"50 instances x 60 scrapes: {page.Length / 1024.0:0.0} KiB of HTML, {clock.Elapsed.TotalMilliseconds / Rounds:0.00} ms per render (mean of {Rounds})");

        Assert.Equal(50, Regex.Count(page, "<tr role=\"row\" id=\"collector-"));
        Assert.Equal(50, Regex.Count(page, "<svg class=\"chart\""));
        Assert.Equal(50, Regex.Count(page, "<title id=\"chart-\\d+-title\">Last 60 scrapes of redis-\\d\\d</title>"));
        Assert.EndsWith("</main></body></html>\n", page, StringComparison.Ordinal);

        // A phone on a slow link still gets it in a moment: well under 10 KiB per instance.
        Assert.InRange(page.Length, 50 * 1024, 400 * 1024);
    }

    [Fact]
    public void History_keeps_the_last_sixty_scrapes_oldest_first()
    {
        var history = new ScrapeHistory();
        Assert.Empty(history.Snapshot());
        for (var i = 0; i < 75; i++)
        {
            history.Add(Record(i, true, 1, series: i));
        }

        var kept = history.Snapshot();
        Assert.Equal(ScrapeHistory.Capacity, kept.Length);
        Assert.Equal(Enumerable.Range(15, 60), kept.Select(r => r.Series));

        history.Add(new ScrapeOutcome { Batch = BatchOf(3), HostBatch = BatchOf(1), Success = true, Duration = TimeSpan.FromMilliseconds(2), Finished = Now, TargetUp = 1 });
        Assert.Equal(4, history.Snapshot()[^1].Series);
        history.CountCacheHit();
        Assert.Equal(1, history.CacheHits);
    }

    [Fact]
    public void Problem_log_keeps_warnings_and_errors_scrubbed_whatever_the_log_level_and_passes_everything_on()
    {
        var redactor = new SecretRedactor();
        redactor.Register("Pw-in-a-log-line-77");
        var inner = new RecordingLogger(LogLevel.Error);
        var time = new ManualTime(Now);
        var log = new ProblemLog(inner, redactor, time);

        log.LogInformation("connected");
        Assert.Null(log.Last);
        Assert.True(log.IsEnabled(LogLevel.Warning));
        Assert.False(log.IsEnabled(LogLevel.Information));

        log.LogWarning("redis scrape of {Target} failed: {Error}", "127.0.0.1:6379", "AUTH Pw-in-a-log-line-77 refused");
        Assert.Equal(new LoggedProblem(Now, LogLevel.Warning, "redis scrape of 127.0.0.1:6379 failed: AUTH <secret> refused"), log.Last);
        Assert.Empty(inner.Lines);

        time.Now = Now.AddSeconds(1);
        log.LogError(new IOException("socket closed"), "lost the connection");
        Assert.Equal("lost the connection: socket closed", log.Last!.Message);
        Assert.Equal(["lost the connection"], inner.Lines);

        for (var i = 0; i < 10; i++)
        {
            log.LogWarning("warning {Index}", i);
        }

        Assert.Equal(ProblemLog.Capacity, log.Recent().Length);
        Assert.Equal("warning 9", log.Last!.Message);
        log.LogWarning("{Long}", new string('x', 2000));
        Assert.Equal(ProblemLog.MaxMessageLength + 3, log.Last!.Message.Length);
    }

    private static string Render(StatusSnapshot snapshot) => StatusPage.Render(snapshot, new SecretRedactor());

    private static StatusSnapshot Snapshot(params InstanceStatus[] instances) => new(Now, Host(), instances);

    private static HostStatus Host() => new()
    {
        Version = "1.2.3",
        Revision = "abc123",
        DotnetVersion = "10.0.1",
        Started = Now.AddHours(-26),
        ResidentMemoryBytes = 30_000_000,
        TelemetryPath = "/metrics",
        LastLoaded = Now.AddHours(-26),
        LastReloadSuccessful = true,
        ProbeEnabled = false,
        ProbeAllowedTargets = [],
    };

    private static InstanceStatus Instance(string name, string type, string? target) => new()
    {
        Name = name,
        Type = type,
        Target = target,
        History = [],
        Timeout = TimeSpan.FromSeconds(10),
        MinInterval = TimeSpan.Zero,
        SingleFlight = true,
        MaxSeries = 100_000,
    };

    private static InstanceStatus Healthy(string name, int scrapes) => Instance(name, "redis", "redis://127.0.0.1:6379") with
    {
        Last = Outcome(success: true, targetUp: 1),
        History = Records(scrapes, i => Record(i, true, 1)),
        ScrapesTotal = scrapes,
    };

    private static ScrapeOutcome Outcome(bool success, double? targetUp, string? error = null) => new()
    {
        Batch = new MetricBatch(),
        Success = success,
        TargetUp = targetUp,
        Error = error,
        Duration = TimeSpan.FromMilliseconds(1.5),
        Finished = Now.AddSeconds(-2),
    };

    private static ScrapeRecord[] Records(int count, Func<int, ScrapeRecord> record) => [.. Enumerable.Range(0, count).Select(record)];

    private static ScrapeRecord Record(int index, bool success, double? up, double milliseconds = 2, int series = 120) =>
        new(Now.AddSeconds(-15 * (60 - index)), TimeSpan.FromMilliseconds(milliseconds), success, up, series);

    private static MetricBatch BatchOf(int series)
    {
        var writer = new MetricWriter();
        var gauge = new GaugeDefinition("g", "A gauge.", ["i"]);
        for (var i = 0; i < series; i++)
        {
            writer.Write(gauge, i, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return writer.Batch;
    }

    private static string Row(string page, string name)
    {
        var match = Regex.Match(page, $"<tr role=\"row\" id=\"collector-\\d+\" class=\"[^\"]*\" data-collector=\"{Regex.Escape(name)}\">.*?</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no row for {name}");
        return match.Value;
    }

    private static string PathData(string svg, string kind) => Regex.Match(svg, $"<path class=\"{kind}\" d=\"([^\"]*)\"").Groups[1].Value;

    private static int Segments(string svg, string kind) => PathData(svg, kind).Count(c => c == 'M');

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class RecordingLogger(LogLevel minimum) : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Assert.True(IsEnabled(logLevel), "a disabled level was passed on");
            Lines.Add(formatter(state, exception));
        }
    }
}
