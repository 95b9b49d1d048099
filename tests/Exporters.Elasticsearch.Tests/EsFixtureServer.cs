using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Serves captured Elasticsearch responses (shared/fixtures/elasticsearch) on 127.0.0.1, path to file, so that our
/// collector and Debian's exporter scrape the same bytes. Routes can be replaced by fault behaviours.
/// </summary>
internal sealed class EsFixtureServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _https;

    private EsFixtureServer(WebApplication app, int port, bool https)
    {
        _app = app;
        Port = port;
        _https = https;
    }

    public int Port { get; }

    public string Uri => $"{(_https ? "https" : "http")}://127.0.0.1:{Port}";

    /// <summary>Requests seen, as path and query.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>The fixture sets: which captured file answers which path.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Sets { get; } = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["es7"] = new Dictionary<string, string>
        {
            ["/"] = "clusterinfo/7.13.1.json",
            ["/_cluster/health"] = "clusterhealth/7.13.1.json",
            ["/_nodes/_local/stats"] = "nodestats/7.13.1.json",
            ["/_nodes/stats"] = "nodestats/7.13.1.json",
            ["/_all/_stats"] = "indices/7.17.3.json",
            ["/_all/_stats?level=shards"] = "indices/shards/7.17.3.json",
            ["/_alias"] = "indices/alias/7.17.3.json",
            ["/_cat/shards"] = "shards/7.15.0.json",
            ["/_all/_settings"] = "indices_settings/6.5.4.json",
            ["/_all/_mappings"] = "indices_mappings/7.8.0.json",
            ["/_cluster/settings"] = "settings-8.9.1-watermark.json",
            ["/_snapshot"] = "=" + """{"backups":{"type":"fs","settings":{"location":"/tmp/backups"}}}""",
            ["/_snapshot/backups/_all"] = "snapshots/5.4.2-failed.json",
            ["/_slm/stats"] = "slm/stats/7.15.0.json",
            ["/_slm/status"] = "slm/status/7.15.0.json",
            ["/_all/_ilm/explain"] = "ilm_indices/6.6.0.json",
            ["/_ilm/status"] = "ilm_status/6.6.0.json",
            ["/_data_stream/*/_stats"] = "datastream/7.15.0.json",
            ["/_health_report"] = "healthreport/8.7.0.json",
            ["/_tasks"] = LocalFixture("tasks/7.17.11.json"),
        },
        ["es6"] = new Dictionary<string, string>
        {
            ["/"] = "clusterinfo/5.4.2.json",
            ["/_cluster/health"] = "clusterhealth/6.8.8.json",
            ["/_nodes/_local/stats"] = "nodestats/6.8.8.json",
            ["/_nodes/stats"] = "nodestats/6.8.8.json",
            ["/_cluster/settings"] = "settings-7.3.0.json",
            ["/_snapshot"] = "=" + """{"backups":{"type":"fs","settings":{"location":"/tmp/backups"}}}""",
            ["/_snapshot/backups/_all"] = "snapshots/5.4.2.json",
        },
    };

    /// <summary>Starts a server for <paramref name="set"/>; <paramref name="overrides"/> replace routes by path.</summary>
    public static async Task<EsFixtureServer> StartAsync(string set, IReadOnlyDictionary<string, RequestDelegate>? overrides = null, string? fixtureDirectory = null, int port = 0, IReadOnlyDictionary<string, string>? files = null, X509Certificate2? serverCertificate = null, bool requireClientCertificate = false)
    {
        var directory = fixtureDirectory ?? DefaultFixtureDirectory();
        var routes = new Dictionary<string, string>(Sets[set]);
        foreach (var (path, file) in files ?? new Dictionary<string, string>())
        {
            routes[path] = file;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    if (requireClientCertificate)
                    {
                        https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;

                        // Any client certificate will do: the test is that the collector presents one.
                        https.ClientCertificateValidation = (_, _, _) => true;
                    }
                });
            }
        }));
        var app = builder.Build();
        EsFixtureServer? server = null;
        app.Run(async context =>
        {
            var path = WebUtility.UrlDecode(context.Request.Path.Value ?? "/");
            lock (server!.Requests)
            {
                server.Requests.Add(path + context.Request.QueryString.Value);
            }

            if (overrides is not null && overrides.TryGetValue(path, out var handler))
            {
                await handler(context);
                return;
            }

            var key = context.Request.Query["level"] == "shards" ? path + "?level=shards" : path;
            if (!routes.TryGetValue(key, out var file))
            {
                context.Response.StatusCode = 404;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$"""{"error":{"type":"resource_not_found_exception","reason":"no fixture for {{path}}"},"status":404}""");
                return;
            }

            context.Response.ContentType = "application/json; charset=UTF-8";
            if (file.StartsWith('='))
            {
                await context.Response.WriteAsync(file[1..]);
                return;
            }

            await context.Response.SendFileAsync(Path.Combine(directory, file));
        });
        await app.StartAsync();
        var bound = new System.Uri(app.Urls.First()).Port;
        server = new EsFixtureServer(app, bound, serverCertificate is not null);
        return server;
    }

    /// <summary>A capture kept in this project's fixtures directory (see its NOTICE) rather than in shared/fixtures.</summary>
    public static string LocalFixture(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    /// <summary>shared/fixtures/elasticsearch beside the repository that holds this program (found by walking up from it).</summary>
    public static string DefaultFixtureDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "..", "shared", "fixtures", "elasticsearch");
            if (File.Exists(Path.Combine(directory.FullName, "Exporters.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new DirectoryNotFoundException("shared/fixtures/elasticsearch not found beside the repository; pass the fixture directory explicitly");
    }

    /// <summary>An Elasticsearch-style error answer.</summary>
    public static RequestDelegate Error(int status, string type, string reason) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"error":{"root_cause":[{"type":"{{type}}","reason":"{{reason}}"}],"type":"{{type}}","reason":"{{reason}}"},"status":{{status}}}""");
    };

    /// <summary>A fixed body.</summary>
    public static RequestDelegate Body(string body, int status = 200) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    };

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
