using Exporters.Abstractions;
using Exporters.Hosting;

namespace Exporters.TestSupport;

/// <summary>The real host, in the test's process, listening on a free loopback port with the built-in collectors.</summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly ExporterApplication _app;

    private InProcessHost(ExporterApplication app, int port, string? configPath)
    {
        _app = app;
        Port = port;
        ConfigPath = configPath;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The configuration file, when started with one.</summary>
    public string? ConfigPath { get; }

    /// <summary>A client whose base address is the host.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts the host with <paramref name="yaml"/> as its configuration file (when not null).</summary>
    /// <param name="yaml">The configuration, or null for none.</param>
    /// <param name="extraArgs">More flags.</param>
    /// <param name="additionalCollectors">Collectors to register besides the built-in ones.</param>
    /// <returns>The running host.</returns>
    public static async Task<InProcessHost> StartAsync(string? yaml, IEnumerable<string>? extraArgs = null, IEnumerable<CollectorDefinition>? additionalCollectors = null)
    {
        var port = Tools.FreePort();
        var args = new List<string> { $"--web.listen-address=127.0.0.1:{port}" };
        string? configPath = null;
        if (yaml is not null)
        {
            configPath = Path.Combine(Tools.TempDirectory("host"), "config.yaml");
            await File.WriteAllTextAsync(configPath, yaml);
            args.Add($"--config.file={configPath}");
        }

        args.AddRange(extraArgs ?? []);
        var app = StockExporter.Build(args, null, additionalCollectors);
        await app.StartAsync();
        return new InProcessHost(app, port, configPath);
    }

    /// <summary>GETs <paramref name="path"/> with Prometheus' scrape-timeout header and returns the body.</summary>
    /// <param name="path">The path.</param>
    /// <param name="scrapeTimeoutSeconds">The header value, or null to leave it out.</param>
    /// <returns>The body.</returns>
    public async Task<string> ScrapeAsync(string path = "/metrics", double? scrapeTimeoutSeconds = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (scrapeTimeoutSeconds is { } seconds)
        {
            request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
