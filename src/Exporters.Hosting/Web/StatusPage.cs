using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;

namespace Exporters.Hosting.Web;

/// <summary>
/// The landing page an operator opens first: for each collector instance its target without credentials, whether the
/// target is up and why not, a chart of its last scrapes, its series against <c>max_series</c> and how it is scraped;
/// then the host: version, uptime, memory, configuration and reloads, <c>/probe</c>. One self-contained HTML document
/// (inline CSS and SVG, no script, nothing fetched) that reloads itself.
/// </summary>
internal static class StatusPage
{
    /// <summary>How often the page reloads itself unless the request says otherwise.</summary>
    public const int DefaultRefreshSeconds = 10;

    private const string Style = """
        :root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#555;--line:#d4d4d4;--head:#f0f0f0;--ok:#146c2e;--bad:#b3261e;--warn:#8a4b00;--bar:#2f62a0;--link:#0b4fb3;--code:#f3f3f3}
        @media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#161616;--muted:#b4b4b4;--line:#454545;--head:#232323;--ok:#74d68e;--bad:#ff8f85;--warn:#f5b95c;--bar:#8db6f5;--link:#9cc1ff;--code:#262626}}
        *{box-sizing:border-box}
        body{margin:0 auto;padding:1rem 1.25rem 2rem;max-width:120rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        a{color:var(--link)}
        h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .5rem}
        header p{margin:.2rem 0}
        code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;background:var(--code);border-radius:3px;overflow-wrap:anywhere}
        code{padding:0 .2rem}pre{padding:.5rem;white-space:pre-wrap;margin:.3rem 0}
        .muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
        .badge{display:inline-block;font-weight:600;border:2px solid currentColor;border-radius:1em;padding:0 .55em;white-space:nowrap}
        .notice{border:2px solid var(--bad);border-radius:6px;padding:.5rem .8rem;margin:.8rem 0}
        table{border-collapse:collapse;width:100%}
        caption{text-align:left;padding:.2rem 0 .5rem}
        col.c-name{width:10%}col.c-target{width:17%}col.c-status{width:22%}col.c-chart{width:19%}col.c-series{width:13%}col.c-scraping{width:19%}
        td.target{min-width:13rem}td.target code{overflow-wrap:break-word}td.status{min-width:14rem}td.chart-cell{min-width:13rem}td.series{min-width:9rem}td.scraping{min-width:12rem}
        th,td{border-bottom:1px solid var(--line);padding:.5rem .6rem;text-align:left;vertical-align:top}
        thead th{background:var(--head);font-size:.9rem}
        tbody th{font-weight:600}
        td p,th p{margin:.15rem 0}
        .type{display:block;font-weight:400;color:var(--muted);font-size:.9rem}
        .reason{overflow-wrap:anywhere}
        tr.state-failed>th:first-child,tr.state-down>th:first-child{border-left:4px solid var(--bad)}
        tr.state-up>th:first-child{border-left:4px solid var(--ok)}
        tr.state-waiting>th:first-child{border-left:4px solid var(--line)}
        .chart{display:block;width:100%;max-width:300px;height:auto}
        .chart .axis{stroke:var(--muted);stroke-width:1;fill:none}
        .bar-up{fill:var(--bar)}.bar-down,.mark-down{fill:var(--warn)}.bar-failed,.mark-failed{fill:var(--bad)}
        .chart-note,.legend{font-size:.85rem;color:var(--muted);margin:.2rem 0}
        .key{vertical-align:-1px}
        meter{width:100%;max-width:12rem;height:.8rem;display:block}
        ul.plain{margin:.2rem 0;padding-left:1.2rem}td ul.plain{list-style:none;padding:0;margin:0}td ul.plain li{margin:0 0 .15rem}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
        dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0}
        @media (max-width:1150px){
        table.instances,table.instances tbody,table.instances caption{display:block;width:100%}
        table.instances thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        table.instances tr{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:0 .5rem;border:1px solid var(--line);border-radius:6px;margin:0 0 .9rem;padding:.2rem 0}
        table.instances th,table.instances td{display:block;border:0;padding:.3rem .7rem;min-width:0}
        table.instances th{grid-column:1/-1}
        table.instances td::before{content:attr(data-label);display:block;font-size:.8rem;font-weight:600;color:var(--muted)}
        }
        @media (max-width:600px){
        body{padding:.75rem}
        dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}
        }
        """;

    /// <summary>
    /// The Content-Security-Policy the page is served with: nothing may load, no script may run, and only the page's
    /// own style block applies.
    /// </summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Renders the page.</summary>
    /// <param name="snapshot">What to show.</param>
    /// <param name="redactor">The secret scrubber, applied to every text shown.</param>
    /// <param name="refreshSeconds">How often the page reloads itself; 0 for never.</param>
    /// <returns>HTML.</returns>
    public static string Render(StatusSnapshot snapshot, SecretRedactor redactor, int refreshSeconds = DefaultRefreshSeconds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(redactor);
        var html = HtmlEncoder.Default;
        string E(string? text) => html.Encode(redactor.Redact(text ?? string.Empty));
        var host = snapshot.Host;
        var now = snapshot.Now;
        var states = snapshot.Instances.Select(StateOf).ToList();
        var upCount = states.Count(s => s is TargetState.Up or TargetState.Answered);
        var downCount = states.Count(s => s is TargetState.Down or TargetState.Failed);

        var page = new StringBuilder(8192 + snapshot.Instances.Count * 3072);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{refreshSeconds}\">");
        }

        page.Append(CultureInfo.InvariantCulture, $"<title>{(downCount > 0 ? $"{downCount} down" : "OK")} - Exporters</title>");
        page.Append("<link rel=\"icon\" href=\"data:,\"><style>").Append(Style).Append("</style></head><body>\n");

        // Header: what this is, the overall verdict, and the page's own refresh.
        page.Append("<header><h1>Exporters</h1>");
        page.Append(CultureInfo.InvariantCulture, $"<p id=\"summary\">{snapshot.Instances.Count} collector {(snapshot.Instances.Count == 1 ? "instance" : "instances")}: ");
        page.Append(CultureInfo.InvariantCulture, $"<span class=\"ok\">{upCount} up</span>, <span class=\"{(downCount > 0 ? "bad" : "muted")}\">{downCount} down or failing</span>");
        var waiting = states.Count(s => s is TargetState.Waiting);
        if (waiting > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $", {waiting} not scraped yet");
        }

        page.Append(". Version ").Append(E(host.Version)).Append(", up ").Append(E(StatusFormat.Span(now - host.Started))).Append(".</p>");
        page.Append(refreshSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $"<p class=\"muted\">Updated {E(StatusFormat.Time(now))}; reloads every {refreshSeconds} s (<a href=\"?refresh=0\">stop</a>).</p>")
            : string.Create(CultureInfo.InvariantCulture, $"<p class=\"muted\">Updated {E(StatusFormat.Time(now))}; automatic reload is off (<a href=\"?refresh={DefaultRefreshSeconds}\">turn it on</a>).</p>"));
        page.Append("</header>\n");
        if (!host.LastReloadSuccessful)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"reload-notice\"><strong class=\"bad\">The last configuration reload failed</strong>{(host.LastReloadAttempt is { } at ? " (" + E(StatusFormat.Age(now - at)) + ")" : string.Empty)}; the previous configuration is still running. <a href=\"#reload\">Why</a></p>");
        }

        page.Append("<main>\n<section aria-labelledby=\"collectors-heading\"><h2 id=\"collectors-heading\">Collectors</h2>");
        if (downCount > 0)
        {
            // With dozens of instances the ones that need attention are listed first, linked to their rows.
            page.Append("<p id=\"attention\"><strong class=\"bad\">Down or failing:</strong> ");
            var separator = string.Empty;
            for (var i = 0; i < states.Count; i++)
            {
                if (states[i] is TargetState.Down or TargetState.Failed)
                {
                    page.Append(CultureInfo.InvariantCulture, $"{separator}<a href=\"#collector-{i}\">{E(snapshot.Instances[i].Name)}</a>");
                    separator = ", ";
                }
            }

            page.Append("</p>");
        }

        if (snapshot.Instances.Count == 0)
        {
            page.Append("<p class=\"muted\">No collector is configured. The host serves its own metrics; see <code>--help</code> and the configuration reference to add collectors.</p>");
        }
        else
        {
            var telemetry = E(host.TelemetryPath);
            page.Append("<table class=\"instances\" role=\"table\"><caption class=\"muted\">Scrapes run when Prometheus (or anyone) requests ");
            page.Append(CultureInfo.InvariantCulture, $"<code>{telemetry}</code> or <code>{telemetry}/&lt;collector&gt;</code>; this page only reads their results.</caption>");
            page.Append("<colgroup><col class=\"c-name\"><col class=\"c-target\"><col class=\"c-status\"><col class=\"c-chart\"><col class=\"c-series\"><col class=\"c-scraping\"></colgroup>");
            page.Append("<thead role=\"rowgroup\"><tr role=\"row\">");
            foreach (var heading in ColumnHeadings)
            {
                page.Append("<th scope=\"col\" role=\"columnheader\">").Append(heading).Append("</th>");
            }

            page.Append("</tr></thead><tbody role=\"rowgroup\">\n");
            for (var i = 0; i < snapshot.Instances.Count; i++)
            {
                AppendInstance(page, snapshot.Instances[i], states[i], i, telemetry, now, E);
            }

            page.Append("</tbody></table>");
            StatusChart.AppendLegend(page);
        }

        page.Append("</section>\n");
        AppendHost(page, host, now, E);
        page.Append("</main></body></html>\n");
        return page.ToString();
    }

    private static readonly string[] ColumnHeadings = ["Collector", "Target", "Status", "Last scrapes", "Series", "Scraping"];

    private enum TargetState
    {
        /// <summary>Not scraped since start.</summary>
        Waiting,

        /// <summary>The scrape succeeded and the up metric is 1.</summary>
        Up,

        /// <summary>The scrape succeeded; the collector has no up metric.</summary>
        Answered,

        /// <summary>The scrape succeeded but the collector's up metric is 0.</summary>
        Down,

        /// <summary>The scrape failed (error, deadline).</summary>
        Failed,
    }

    private static TargetState StateOf(InstanceStatus instance) => instance.Last switch
    {
        null => TargetState.Waiting,
        { Success: false } => TargetState.Failed,
        { TargetUp: null } => TargetState.Answered,
        { TargetUp: > 0 } => TargetState.Up,
        _ => TargetState.Down,
    };

    private static void AppendInstance(StringBuilder page, InstanceStatus instance, TargetState state, int index, string telemetry, DateTimeOffset now, Func<string?, string> e)
    {
        var name = e(instance.Name);
        var href = e(Uri.EscapeDataString(instance.Name));
        var stateClass = state switch
        {
            TargetState.Waiting => "waiting",
            TargetState.Up or TargetState.Answered => "up",
            TargetState.Down => "down",
            _ => "failed",
        };
        page.Append(CultureInfo.InvariantCulture, $"<tr role=\"row\" id=\"collector-{index}\" class=\"state-{stateClass}\" data-collector=\"{name}\">");
        page.Append(CultureInfo.InvariantCulture, $"<th scope=\"row\" role=\"rowheader\"><a href=\"{telemetry}/{href}\">{name}</a><span class=\"type\">{e(instance.Type)} collector</span></th>");
        page.Append("<td role=\"cell\" data-label=\"Target\" class=\"target\">");
        page.Append(instance.Target is null ? "<span class=\"muted\">none</span>" : $"<code>{BreakOpportunities(e(instance.Target))}</code>");
        page.Append("</td><td role=\"cell\" data-label=\"Status\" class=\"status\">");
        AppendStatus(page, instance, state, now, e);
        page.Append("</td><td role=\"cell\" data-label=\"Last scrapes\" class=\"chart-cell\">");
        StatusChart.Append(page, string.Create(CultureInfo.InvariantCulture, $"chart-{index}"), name, instance.History, now);
        page.Append("</td><td role=\"cell\" data-label=\"Series\" class=\"series\">");
        AppendSeries(page, instance);
        page.Append("</td><td role=\"cell\" data-label=\"Scraping\" class=\"scraping\">");
        AppendScraping(page, instance, now, e);
        page.Append("</td></tr>\n");
    }

    private static void AppendStatus(StringBuilder page, InstanceStatus instance, TargetState state, DateTimeOffset now, Func<string?, string> e)
    {
        var last = instance.Last;
        if (last is null)
        {
            page.Append("<span class=\"badge muted\">not scraped yet</span>");
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Its first scrape runs on the next request for its metrics.</p>");
            return;
        }

        page.Append(state switch
        {
            TargetState.Up => "<span class=\"badge ok\">up</span>",
            TargetState.Answered => "<span class=\"badge ok\">scraped</span>",
            TargetState.Down => "<span class=\"badge bad\">down</span>",
            _ => "<span class=\"badge bad\">scrape failed</span>",
        });

        var problem = instance.LastProblem;
        if (state == TargetState.Failed)
        {
            page.Append("<p class=\"reason bad\">").Append(e(last.Error)).Append("</p>");
        }
        else if (state == TargetState.Down)
        {
            page.Append(problem is null
                ? "<p class=\"reason bad\">The collector reported its target down and logged no reason.</p>"
                : $"<p class=\"reason bad\">{e(problem.Message)}</p><p class=\"muted\">Logged {e(StatusFormat.Age(now - problem.Time))} ({e(LevelName(problem.Level))}).</p>");
        }
        else if (problem is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"reason warn\">Last {e(LevelName(problem.Level))}, {e(StatusFormat.Age(now - problem.Time))}: {e(problem.Message)}</p>");
        }

        page.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">Last scrape {e(StatusFormat.Age(now - last.Finished))}, took {e(StatusFormat.Duration(last.Duration))}.</p>");
    }

    private static void AppendSeries(StringBuilder page, InstanceStatus instance)
    {
        ScrapeRecord? lastGood = null;
        for (var i = instance.History.Count - 1; i >= 0; i--)
        {
            if (instance.History[i].Success)
            {
                lastGood = instance.History[i];
                break;
            }
        }

        if (lastGood is not { } good)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">No successful scrape yet; cap {StatusFormat.Count(instance.MaxSeries)} (<code>max_series</code>).</p>");
            return;
        }

        var max = Math.Max(1, instance.MaxSeries);
        var share = (double)good.Series / max;
        var css = share >= 1 ? "bad" : share >= 0.8 ? "warn" : "muted";
        page.Append(CultureInfo.InvariantCulture, $"<p><strong>{StatusFormat.Count(good.Series)}</strong> of {StatusFormat.Count(instance.MaxSeries)} <span class=\"{css}\">({share * 100:0.#}%)</span></p>");
        page.Append(CultureInfo.InvariantCulture, $"<meter min=\"0\" max=\"{max}\" low=\"{max * 0.5:0}\" high=\"{max * 0.8:0}\" optimum=\"0\" value=\"{good.Series}\" aria-label=\"series against max_series\">{share * 100:0.#}%</meter>");
        if (instance.Last is { Dropped: > 0 } last)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"bad\">Cap reached: {StatusFormat.Count(last.Dropped)} series dropped in the last scrape.</p>");
        }
        else if (instance.DroppedTotal > 0)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">{StatusFormat.Count(instance.DroppedTotal)} series dropped by the cap since start.</p>");
        }
    }

    private static void AppendScraping(StringBuilder page, InstanceStatus instance, DateTimeOffset now, Func<string?, string> e)
    {
        page.Append("<ul class=\"plain\">");
        page.Append(CultureInfo.InvariantCulture, $"<li>timeout {e(StatusFormat.Span(instance.Timeout))}, single flight {(instance.SingleFlight ? "on" : "off")}</li>");
        if (instance.MinInterval <= TimeSpan.Zero)
        {
            page.Append("<li><code>min_interval</code> off</li>");
        }
        else
        {
            page.Append(CultureInfo.InvariantCulture, $"<li><code>min_interval</code> {e(StatusFormat.Span(instance.MinInterval))}");
            if (instance.Last is { Success: true } last && last.Finished + instance.MinInterval > now)
            {
                page.Append(CultureInfo.InvariantCulture, $": results cached for {e(StatusFormat.Span(last.Finished + instance.MinInterval - now))} more");
            }

            page.Append(CultureInfo.InvariantCulture, $"; {StatusFormat.Count(instance.CacheHits)} answered from cache</li>");
        }

        page.Append(instance.CollectorRunning ? "<li><span class=\"warn\">scraping now</span>" : "<li class=\"muted\">idle");
        page.Append(CultureInfo.InvariantCulture, $"; {StatusFormat.Count(instance.ScrapesTotal, "scrape")}, {StatusFormat.Count(instance.FailuresTotal)} failed since start</li>");
        page.Append("</ul>");
    }

    private static void AppendHost(StringBuilder page, HostStatus host, DateTimeOffset now, Func<string?, string> e)
    {
        var telemetry = e(host.TelemetryPath);
        page.Append("<section aria-labelledby=\"host-heading\" id=\"host\"><h2 id=\"host-heading\">Host</h2><dl class=\"facts\">");
        page.Append(CultureInfo.InvariantCulture, $"<dt>Version</dt><dd>{e(host.Version)} (revision <code>{e(host.Revision)}</code>, .NET {e(host.DotnetVersion)})</dd>");
        page.Append(CultureInfo.InvariantCulture, $"<dt>Uptime</dt><dd>{e(StatusFormat.Span(now - host.Started))} (started {e(StatusFormat.Time(host.Started))})</dd>");
        page.Append(CultureInfo.InvariantCulture, $"<dt>Resident memory</dt><dd>{(host.ResidentMemoryBytes is { } rss ? e(StatusFormat.Bytes(rss)) : "unknown")}</dd>");
        page.Append(CultureInfo.InvariantCulture, $"<dt>Configuration file</dt><dd>{(host.ConfigFile is null ? "none (flags and environment only)" : $"<code>{e(host.ConfigFile)}</code>")}</dd>");
        page.Append(CultureInfo.InvariantCulture, $"<dt>Loaded</dt><dd>{e(StatusFormat.Time(host.LastLoaded))} ({e(StatusFormat.Age(now - host.LastLoaded))})</dd>");
        page.Append("<dt>Last reload</dt><dd id=\"reload\">");
        if (host.LastReloadAttempt is not { } attempt)
        {
            page.Append("none since start");
        }
        else if (host.LastReloadSuccessful)
        {
            page.Append(CultureInfo.InvariantCulture, $"<span class=\"ok\">succeeded</span> {e(StatusFormat.Time(attempt))} ({e(StatusFormat.Age(now - attempt))})");
        }
        else
        {
            page.Append(CultureInfo.InvariantCulture, $"<span class=\"bad\">failed</span> {e(StatusFormat.Time(attempt))} ({e(StatusFormat.Age(now - attempt))}); the previous configuration is still running:<pre>{e(host.LastReloadError)}</pre>");
        }

        page.Append("</dd><dt><code>/probe</code></dt><dd id=\"probe\">");
        if (!host.ProbeEnabled)
        {
            page.Append("disabled");
        }
        else
        {
            page.Append("enabled for these targets:<ul class=\"plain\">");
            foreach (var allowed in host.ProbeAllowedTargets)
            {
                page.Append("<li><code>").Append(e(allowed)).Append("</code></li>");
            }

            page.Append("</ul>");
        }

        page.Append(CultureInfo.InvariantCulture, $"</dd><dt>Endpoints</dt><dd><a href=\"{telemetry}\">{telemetry}</a> (all collectors and the host) &middot; <a href=\"/healthz\">/healthz</a> &middot; <a href=\"/readyz\">/readyz</a></dd>");
        page.Append("</dl></section>\n");
    }

    /// <summary>Lets an encoded address wrap after <c>/</c> and <c>.</c> and before a port's <c>:</c>, <c>@</c> and <c>?</c>, rather than anywhere.</summary>
    private static string BreakOpportunities(string encoded)
    {
        var text = new StringBuilder(encoded.Length + 16);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if ((c is '@' or '?' || (c == ':' && i + 1 < encoded.Length && encoded[i + 1] != '/')) && i > 0)
            {
                text.Append("<wbr>");
            }

            text.Append(c);
            if (c is '/' or '.' && i + 1 < encoded.Length && encoded[i + 1] != '/')
            {
                text.Append("<wbr>");
            }
        }

        return text.ToString();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical error",
    };
}
