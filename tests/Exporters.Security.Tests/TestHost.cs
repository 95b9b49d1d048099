using Exporters.Host;
using Exporters.SamplePlugin;
using Exporters.Testing;
using Microsoft.AspNetCore.Builder;

namespace Exporters.Security.Tests;

/// <summary>The real host in this process on a free loopback port, with the sample collector built in.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, int port)
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
        var (app, output) = ExporterApplication.Build([.. args], new Dictionary<string, string?>(), [new SampleCollectorDefinition()]);
        Assert.Null(output);
        await app!.StartAsync();
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
