using Exporters.Hosting.Configuration;
using Exporters.Hosting.Scraping;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Exporters.Hosting.Security;

/// <summary>
/// Hooks the web config and the request limits into Kestrel and the request pipeline: TLS on every listener, basic
/// auth on every path but <c>/healthz</c> and <c>/readyz</c> (kubelet probes carry no credentials), response headers,
/// and the limit on concurrent scrapes.
/// </summary>
internal static partial class WebSecurity
{
    /// <summary>Largest request body accepted; the host's only body-carrying endpoint, <c>POST /-/reload</c>, needs none.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Largest total size of request headers.</summary>
    public const int MaxRequestHeadersBytes = 16 * 1024;

    /// <summary>Most request headers accepted.</summary>
    public const int MaxRequestHeaderCount = 64;

    /// <summary>Longest request line (method, path and query).</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>How long an idle keep-alive connection stays open (Prometheus scrapes at least every few minutes).</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);

    private static readonly string[] OpenPaths = ["/healthz", "/readyz"];

    /// <summary>Applies the size limits and slow-client timeouts to Kestrel.</summary>
    /// <param name="kestrel">Kestrel's options.</param>
    /// <param name="settings">Process settings.</param>
    public static void ApplyLimits(KestrelServerOptions kestrel, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(settings);
        var limits = kestrel.Limits;
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.RequestHeadersTimeout = settings.ReadHeaderTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MaxConcurrentConnections = 1024;
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.Http2.MaxRequestHeaderFieldSize = MaxRequestHeadersBytes;
    }

    /// <summary>Adds the authentication, header and concurrency middleware.</summary>
    /// <param name="app">The application.</param>
    /// <param name="web">The web config.</param>
    /// <param name="settings">Process settings.</param>
    /// <returns>The application.</returns>
    public static WebApplication UseWebSecurity(this WebApplication app, WebConfig web, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(settings);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Exporters.Hosting.Security");
        var authenticator = web.RequiresAuthentication ? new BasicAuthenticator(web.BasicAuthUsers) : null;

        // bcrypt is slow by design; capping concurrent uncached checks keeps a flood of bad credentials from taking
        // every core away from scrapes.
        var hashSlots = new SemaphoreSlim(Math.Max(2, Environment.ProcessorCount));
        var activity = app.Services.GetRequiredService<ScrapeActivity>();
        var telemetry = settings.TelemetryPath;

        app.Use(async (context, next) =>
        {
            foreach (var (name, value) in web.Http.Headers)
            {
                context.Response.Headers[name] = value;
            }

            // Kestrel enforces MaxRequestBodySize only when a body is read; no endpoint reads one, so refuse early.
            if (context.Request.ContentLength > MaxRequestBodyBytes)
            {
                context.Response.Headers.Connection = "close";
                await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"request body over {MaxRequestBodyBytes} bytes");
                return;
            }

            var path = context.Request.Path.Value ?? "/";
            if (authenticator is not null && !OpenPaths.Contains(path, StringComparer.Ordinal))
            {
                if (!BasicAuthenticator.TryParseHeader(context.Request.Headers.Authorization, out var user, out var password))
                {
                    await Unauthorized(context);
                    return;
                }

                if (!await hashSlots.WaitAsync(TimeSpan.FromSeconds(5), context.RequestAborted))
                {
                    await Refuse(context, StatusCodes.Status429TooManyRequests, "too many authentication checks in progress; retry shortly");
                    return;
                }

                bool valid;
                try
                {
                    valid = authenticator.Check(user, password);
                }
                finally
                {
                    hashSlots.Release();
                }

                if (!valid)
                {
                    // The user name is not logged: a password typed into the user field would end up in the log.
                    LogAuthenticationFailed(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", path);
                    await Unauthorized(context);
                    return;
                }
            }

            var isScrape = path == telemetry || path.StartsWith(telemetry + "/", StringComparison.Ordinal) || path == "/probe"
                || (settings.Profile?.ProbePaths.Contains(path, StringComparer.Ordinal) ?? false);
            if (!isScrape)
            {
                await next(context);
                return;
            }

            if (!activity.TryEnter(settings.MaxRequests))
            {
                LogTooManyScrapes(logger, settings.MaxRequests);
                context.Response.Headers.RetryAfter = "1";
                await Refuse(context, StatusCodes.Status429TooManyRequests, $"too many concurrent scrapes (--web.max-requests={settings.MaxRequests})");
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                activity.Exit();
            }
        });

        return app;
    }

    private static Task Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"exporters\", charset=\"UTF-8\"";
        return Refuse(context, StatusCodes.Status401Unauthorized, "Unauthorized");
    }

    private static Task Refuse(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "basic authentication failed for a request from {Remote} to {Path}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string remote, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scrape refused with 429: {Limit} scrapes already in progress (--web.max-requests)")]
    private static partial void LogTooManyScrapes(ILogger logger, int limit);
}
