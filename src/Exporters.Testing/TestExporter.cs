using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Exporters.Hosting;

namespace Exporters.Testing;

/// <summary>
/// The real host in the test's process, composed the way a <c>Program.cs</c> composes it, listening on a free
/// loopback port: for tests of a whole distribution (flags, configuration, <c>/metrics</c>, <c>/probe</c>).
/// </summary>
/// <example>
/// <code>
/// await using var exporter = await TestExporter.StartAsync(builder => builder.AddMemcached(), yaml: """
///     collectors:
///       memcached: {address: "127.0.0.1:11211"}
///     """);
/// var text = await exporter.ScrapeAsync();
/// </code>
/// </example>
public sealed class TestExporter : IAsyncDisposable
{
    private readonly ExporterApplication _app;
    private readonly string? _directory;

    private TestExporter(ExporterApplication app, int port, string? directory)
    {
        _app = app;
        _directory = directory;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>A client whose base address is the exporter.</summary>
    public HttpClient Client { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Composes, configures and starts an exporter. The environment is empty unless <paramref name="environment"/>
    /// gives some, so the test machine's variables never leak in.
    /// </summary>
    /// <param name="compose">Adds the collectors, as a <c>Program.cs</c> does (<c>builder.AddRedis()</c>).</param>
    /// <param name="yaml">The configuration file's text, or null for none.</param>
    /// <param name="args">More flags.</param>
    /// <param name="environment">Environment variables, or null for none.</param>
    /// <param name="programName">The program name (a drop-in profile's, to test it); <c>exporters</c> by default.</param>
    /// <returns>The running exporter.</returns>
    /// <exception cref="ConfigurationException">The flags or configuration are invalid.</exception>
    public static async Task<TestExporter> StartAsync(Action<ExporterApplicationBuilder> compose, string? yaml = null, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string?>? environment = null, string programName = "exporters")
    {
        ArgumentNullException.ThrowIfNull(compose);
        var port = FreePort();
        var flags = new List<string> { $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" };
        string? directory = null;
        if (yaml is not null)
        {
            directory = Directory.CreateTempSubdirectory("exporters-test-").FullName;
            var path = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(path, yaml);
            flags.Add($"--config.file={path}");
        }

        flags.AddRange(args ?? []);
        var builder = ExporterApplication.CreateBuilder([.. flags]);
        builder.ProgramName = programName;
        builder.Environment.Clear();
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            builder.Environment[key] = value;
        }

        compose(builder);
        var app = builder.Build();
        if (app.Output is { } output)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException("the flags asked to print instead of serving: " + output);
        }

        await app.StartAsync();
        return new TestExporter(app, port, directory);
    }

    /// <summary>GETs <paramref name="path"/> as Prometheus does (its scrape-timeout header when given) and returns the body.</summary>
    /// <param name="path">The path, <c>/metrics</c> by default.</param>
    /// <param name="scrapeTimeoutSeconds">The <c>X-Prometheus-Scrape-Timeout-Seconds</c> value, or null.</param>
    /// <returns>The body.</returns>
    /// <exception cref="HttpRequestException">The response was not a success.</exception>
    public async Task<string> ScrapeAsync(string path = "/metrics", double? scrapeTimeoutSeconds = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (scrapeTimeoutSeconds is { } seconds)
        {
            request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", seconds.ToString(CultureInfo.InvariantCulture));
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
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a watcher; the temporary directory is cleaned up by the system.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
