using Exporters.Abstractions;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;

namespace Exporters.Hosting.Web;

/// <summary>The host's HTTP endpoints.</summary>
internal static class Endpoints
{
    private const string ScrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds";

    /// <summary>Maps every endpoint.</summary>
    /// <param name="app">The application.</param>
    /// <param name="settings">Process settings.</param>
    /// <returns>The application.</returns>
    public static WebApplication MapExporterEndpoints(this WebApplication app, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        var manager = app.Services.GetRequiredService<RuntimeManager>();
        var coordinator = app.Services.GetRequiredService<ScrapeCoordinator>();
        var readiness = app.Services.GetRequiredService<Readiness>();
        var redactor = app.Services.GetRequiredService<SecretRedactor>();
        var timeProvider = app.Services.GetRequiredService<TimeProvider>();
        var telemetry = settings.TelemetryPath;

        foreach (var path in (string[])["/healthz", .. settings.Profile?.HealthPaths ?? []])
        {
            app.MapGet(path, context => PlainText(context, StatusCodes.Status200OK, "ok"));
        }
        app.MapGet("/readyz", context => readiness.IsReady
            ? PlainText(context, StatusCodes.Status200OK, "ready")
            : PlainText(context, StatusCodes.Status503ServiceUnavailable, "not ready"));

        app.MapGet(telemetry, async context =>
        {
            var document = await coordinator.ScrapeAsync(null, context.Request.Headers[ScrapeTimeoutHeader], includeHostMetrics: true, context.RequestAborted);
            await MetricsResponse.WriteAsync(context, document);
        });

        app.MapGet(telemetry + "/{collector}", async context =>
        {
            var name = context.Request.RouteValues["collector"] as string ?? string.Empty;
            var instance = manager.Current.Find(name);
            if (instance is null)
            {
                await PlainText(context, StatusCodes.Status404NotFound, $"no collector instance is named '{name}'; see / for the list");
                return;
            }

            var document = await coordinator.ScrapeAsync([instance], context.Request.Headers[ScrapeTimeoutHeader], includeHostMetrics: false, context.RequestAborted);
            await MetricsResponse.WriteAsync(context, document);
        });

        var defaultProbeCollector = settings.Profile is { Collectors.Count: > 0 } profile ? profile.Collectors[0] : null;
        foreach (var path in (string[])["/probe", .. settings.Profile?.ProbePaths ?? []])
        {
            app.MapGet(path, context => ProbeAsync(context, path != "/probe" ? defaultProbeCollector : null));
        }

        async Task ProbeAsync(HttpContext context, string? defaultCollector)
        {
            var runtime = manager.Current;
            var probe = runtime.Configuration.Probe;
            if (!probe.Enabled)
            {
                await PlainText(context, StatusCodes.Status404NotFound, "/probe is disabled; set probe.enabled and probe.allowed_targets to use it");
                return;
            }

            var name = context.Request.Query["collector"].ToString();
            if (name.Length == 0 && defaultCollector is not null)
            {
                name = defaultCollector;
            }

            var candidates = runtime.Instances.Where(i => i.Target is not null).ToList();
            var instance = name.Length > 0 ? runtime.Find(name) : candidates.Count == 1 ? candidates[0] : null;
            if (instance is null)
            {
                var message = name.Length > 0
                    ? $"no collector instance is named '{name}'"
                    : "the 'collector' parameter is required when more than one collector instance is configured";
                await PlainText(context, StatusCodes.Status400BadRequest, message);
                return;
            }

            var target = context.Request.Query["target"].ToString();
            var (allowed, reason) = await new ProbeTargetPolicy(probe.AllowedTargets).IsAllowedAsync(target, context.RequestAborted);
            if (!allowed)
            {
                await PlainText(context, StatusCodes.Status403Forbidden, "target refused: " + redactor.Redact(reason));
                return;
            }

            var parameters = context.Request.Query
                .Where(q => q.Key is not ("target" or "collector" or "format"))
                .ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
            var document = await coordinator.ProbeAsync(instance, target, context.Request.Headers[ScrapeTimeoutHeader], context.RequestAborted, parameters);
            await MetricsResponse.WriteAsync(context, document);
        }

        foreach (var path in settings.Profile?.CollectorPaths ?? [])
        {
            app.MapGet(path, async context =>
            {
                var instance = defaultProbeCollector is null ? null : manager.Current.Find(defaultProbeCollector);
                if (instance?.Collector is not ICollectorEndpoint endpoint)
                {
                    await PlainText(context, StatusCodes.Status404NotFound, $"{path} needs the {defaultProbeCollector} collector's default instance, which is not configured");
                    return;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(instance.Configuration.Options.Timeout.Value);
                CollectorEndpointResponse response;
                try
                {
                    response = await endpoint.HandleAsync(path, timeout.Token);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    response = new CollectorEndpointResponse(StatusCodes.Status504GatewayTimeout, "text/plain; charset=utf-8", $"{path}: no answer within the instance's timeout of {instance.Configuration.Options.Timeout}\n");
                }

                context.Response.StatusCode = response.StatusCode;
                context.Response.ContentType = response.ContentType;
                await context.Response.WriteAsync(redactor.Redact(response.Body), context.RequestAborted);
            });
        }

        app.MapPost("/-/reload", async context =>
        {
            var problems = await manager.ReloadAsync();
            await (problems is null
                ? PlainText(context, StatusCodes.Status200OK, "configuration reloaded")
                : PlainText(context, StatusCodes.Status500InternalServerError, "reload failed; the previous configuration is still running:\n" + problems));
        });

        app.MapGet("/", async context =>
        {
            var snapshot = StatusSnapshot.Capture(manager, settings, timeProvider.GetUtcNow(), StatusSnapshot.ReadResidentMemory());
            var html = StatusPage.Render(snapshot, redactor, RefreshSeconds(context.Request.Query["refresh"]));
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";

            // A policy from the web config file's headers wins.
            if (!context.Response.Headers.ContainsKey("Content-Security-Policy"))
            {
                context.Response.Headers.ContentSecurityPolicy = StatusPage.ContentSecurityPolicy;
            }

            await context.Response.WriteAsync(html, context.RequestAborted);
        });

        return app;
    }

    /// <summary>The status page's reload interval from its <c>refresh</c> parameter: seconds, 0 for none, the default when absent or invalid.</summary>
    private static int RefreshSeconds(string? parameter) =>
        int.TryParse(parameter, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? seconds == 0 ? 0 : Math.Clamp(seconds, 2, 3600)
            : StatusPage.DefaultRefreshSeconds;

    private static Task PlainText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }
}

/// <summary>Whether the host is ready to serve: from start-up until shutdown begins. Never depends on a target.</summary>
internal sealed class Readiness
{
    /// <summary>Whether <c>/readyz</c> answers 200.</summary>
    public bool IsReady { get; set; }
}
