using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;
using Exporters.Hosting.SelfMetrics;

namespace Exporters.Hosting.Web;

/// <summary>The landing page: collectors, their targets without credentials, and how their last scrape went.</summary>
internal static class StatusPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="manager">The runtime manager.</param>
    /// <param name="settings">Process settings.</param>
    /// <param name="redactor">The secret scrubber (applied to everything shown).</param>
    /// <param name="now">The current time.</param>
    /// <returns>HTML.</returns>
    public static string Render(RuntimeManager manager, HostSettings settings, SecretRedactor redactor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(redactor);
        var html = HtmlEncoder.Default;
        string E(string? text) => html.Encode(redactor.Redact(text ?? string.Empty));
        var runtime = manager.Current;
        var page = new StringBuilder(4096);
        page.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Exporters</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
            table{border-collapse:collapse;margin:1rem 0}
            th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}
            th{background:#f3f3f3}.ok{color:#17692b;font-weight:600}.fail{color:#b3261e;font-weight:600}
            .muted{color:#777}code{background:#f5f5f5;padding:0 .2rem}
            </style></head><body>
            <h1>Exporters</h1>
            """);
        page.Append(CultureInfo.InvariantCulture, $"<p>Version {E(BuildInfo.Version)} (revision {E(BuildInfo.Revision)}, .NET {E(BuildInfo.DotnetVersion)}).</p>");
        var telemetry = E(settings.TelemetryPath);
        page.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{telemetry}\">{telemetry}</a> &middot; <a href=\"/healthz\">/healthz</a> &middot; <a href=\"/readyz\">/readyz</a></p>");
        page.Append("<h2>Collectors</h2>");
        if (runtime.Instances.Count == 0)
        {
            page.Append("<p class=\"muted\">No collector is configured. The host serves its own metrics; see <code>--help</code> and the configuration reference to add collectors.</p>");
        }
        else
        {
            page.Append("<table><thead><tr><th>Collector</th><th>Type</th><th>Target</th><th>Last scrape</th><th>Result</th><th>Target up</th><th>Duration</th><th>Error</th></tr></thead><tbody>");
            foreach (var instance in runtime.Instances)
            {
                var last = instance.Last;
                var name = E(instance.Name);
                page.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"{telemetry}/{name}\">{name}</a></td><td>{E(instance.Definition.Name)}</td><td>{E(instance.DisplayTarget ?? "-")}</td>");
                if (last is null)
                {
                    page.Append("<td class=\"muted\">not yet scraped</td><td></td><td></td><td></td><td></td></tr>");
                    continue;
                }

                var ago = now - last.Finished;
                page.Append(CultureInfo.InvariantCulture, $"<td>{E(last.Finished.ToString("u", CultureInfo.InvariantCulture))} ({ago.TotalSeconds:0}s ago)</td>");
                page.Append(last.Success ? "<td class=\"ok\">success</td>" : "<td class=\"fail\">failed</td>");
                page.Append(last.TargetUp switch
                {
                    null => "<td class=\"muted\">-</td>",
                    > 0 => "<td class=\"ok\">up</td>",
                    _ => "<td class=\"fail\">down</td>",
                });
                page.Append(CultureInfo.InvariantCulture, $"<td>{last.Duration.TotalMilliseconds:0.0} ms</td><td>{E(last.Error)}</td></tr>");
            }

            page.Append("</tbody></table>");
        }

        page.Append("<h2>Configuration</h2><ul>");
        page.Append(CultureInfo.InvariantCulture, $"<li>File: {E(settings.ConfigFile ?? "none (flags and environment only)")}</li>");
        page.Append(CultureInfo.InvariantCulture, $"<li>Last successful load: {E(manager.LastReloadSuccess.ToString("u", CultureInfo.InvariantCulture))}</li>");
        page.Append(manager.LastReloadSuccessful
            ? "<li>Last reload: <span class=\"ok\">successful</span></li>"
            : $"<li>Last reload: <span class=\"fail\">failed</span>, the previous configuration is still running: <pre>{E(manager.LastReloadError)}</pre></li>");
        var probe = runtime.Configuration.Probe;
        page.Append(CultureInfo.InvariantCulture, $"<li>/probe: {(probe.Enabled ? "enabled for " + E(string.Join(", ", probe.AllowedTargets)) : "disabled")}</li>");
        page.Append("</ul></body></html>\n");
        return page.ToString();
    }
}
