using Exporters.SamplePlugin;
using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

/// <summary>The real host, in this process, listening on a free loopback port.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly ExporterApplication _app;

    private RunningHost(ExporterApplication app, int port)
    {
        _app = app;
        Port = port;
        Client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the host with <paramref name="yaml"/> as its configuration file (when not null) and the sample collector built in.</summary>
    public static async Task<RunningHost> StartAsync(string? yaml, IEnumerable<string>? extraArgs = null, IDictionary<string, string?>? environment = null, string? configPath = null)
    {
        var port = Tools.FreePort();
        var args = new List<string> { $"--web.listen-address=127.0.0.1:{port}", "--config.check-interval=200ms" };
        if (yaml is not null)
        {
            configPath ??= Path.Combine(Tools.TempDirectory("host"), "config.yaml");
            await File.WriteAllTextAsync(configPath, yaml);
            args.Add($"--config.file={configPath}");
        }

        args.AddRange(extraArgs ?? []);
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        var app = StockExporter.Build(args, env, [new SampleCollectorDefinition()]);
        await app.StartAsync();
        return new RunningHost(app, port);
    }

    public async Task<string> GetStringAsync(string path, string? accept = null, string? scrapeTimeout = null)
    {
        using var response = await SendAsync(path, accept, scrapeTimeout);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<HttpResponseMessage> SendAsync(string path, string? accept = null, string? scrapeTimeout = null, HttpMethod? method = null, string? acceptEncoding = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (scrapeTimeout is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", scrapeTimeout);
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
