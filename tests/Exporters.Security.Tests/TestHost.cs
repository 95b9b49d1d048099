using Exporters.Hosting;
using Exporters.SamplePlugin;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

/// <summary>The real host in this process on a free loopback port, with the sample collector built in.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly ExporterApplication _app;

    private TestHost(ExporterApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<TestHost> StartAsync(string? configYaml = null, string? webConfigYaml = null, IEnumerable<string>? extraArgs = null, string? directory = null)
    {
        directory ??= Tools.TempDirectory("security");
        var port = Tools.FreePort();
        var args = new List<string> { $"--web.listen-address=127.0.0.1:{port}" };
        if (configYaml is not null)
        {
            var path = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(path, configYaml);
            args.Add($"--config.file={path}");
        }

        if (webConfigYaml is not null)
        {
            var path = Path.Combine(directory, "web.yaml");
            await File.WriteAllTextAsync(path, webConfigYaml);
            args.Add($"--web.config.file={path}");
        }

        args.AddRange(extraArgs ?? []);
        var app = StockExporter.Build(args, null, [new SampleCollectorDefinition()]);
        await app.StartAsync();
        return new TestHost(app, port);
    }

    public HttpClient Client(string scheme = "http", HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
