using System.Globalization;
using System.Text;

namespace Exporters.TestSupport;

/// <summary>
/// Debian's <c>prometheus-alertmanager</c> on 127.0.0.1 with a throwaway storage path, clustering off, and a
/// configuration with two receivers (<c>default</c>, <c>pager</c> for <c>severity="critical"</c>) and an inhibit rule
/// (a critical alert inhibits warnings with the same <c>cluster</c>). Alerts are posted to API v2; silences are
/// added with <c>amtool</c>.
/// </summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    /// <summary>The configuration the server runs with.</summary>
    public const string Configuration = """
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 1h
          routes:
            - matchers: ['severity="critical"']
              receiver: pager
        receivers:
          - name: default
          - name: pager
        inhibit_rules:
          - source_matchers: ['severity="critical"']
            target_matchers: ['severity="warning"']
            equal: [cluster]
        """;

    private readonly string _directory;
    private ExternalProcess _process;

    private AlertmanagerServer(string directory, int port, ExternalProcess process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The base URI, for example <c>http://127.0.0.1:9093</c>.</summary>
    public string Uri => $"http://127.0.0.1:{Port}";

    /// <summary>The process.</summary>
    public ExternalProcess Process => _process;

    /// <summary>Starts a server and waits until its API answers.</summary>
    /// <returns>The server.</returns>
    public static async Task<AlertmanagerServer> StartAsync()
    {
        var directory = Tools.TempDirectory("alertmanager");
        await File.WriteAllTextAsync(Path.Combine(directory, "alertmanager.yml"), Configuration);
        var port = Tools.FreePort();
        var server = new AlertmanagerServer(directory, port, Launch(directory, port));
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Stops the server with SIGTERM, so it writes its silences to storage first.</summary>
    /// <returns>A task.</returns>
    public async Task StopAsync()
    {
        _process.Signal(15);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
    }

    /// <summary>Starts the server again on the same port and storage.</summary>
    /// <returns>A task.</returns>
    public async Task RestartAsync()
    {
        await _process.DisposeAsync();
        _process = Launch(_directory, Port);
        await WaitReadyAsync();
    }

    /// <summary>Posts alerts (a JSON array of postable alerts) to <c>/api/v2/alerts</c>.</summary>
    /// <param name="json">The alerts.</param>
    /// <returns>A task.</returns>
    public async Task PostAlertsAsync(string json)
    {
        using var client = new HttpClient();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new System.Uri($"{Uri}/api/v2/alerts"), content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v2/alerts: {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>Posts one firing alert with <paramref name="labels"/>, started <paramref name="startedAgo"/> ago and ending in an hour.</summary>
    /// <param name="startedAgo">How long ago it started.</param>
    /// <param name="labels">Its labels.</param>
    /// <returns>A task.</returns>
    public Task PostAlertAsync(TimeSpan startedAgo, params (string Name, string Value)[] labels)
    {
        var now = DateTimeOffset.UtcNow;
        var labelJson = string.Join(",", labels.Select(l => $"\"{l.Name}\":\"{l.Value}\""));
        var json = $$"""[{"labels":{{{labelJson}}},"annotations":{"summary":"free text, never a label"},"startsAt":"{{Time(now - startedAgo)}}","endsAt":"{{Time(now.AddHours(1))}}"}]""";
        return PostAlertsAsync(json);
    }

    /// <summary>Adds a silence with <c>amtool silence add</c> and returns its id.</summary>
    /// <param name="duration">Its duration (amtool syntax, for example <c>1h</c>).</param>
    /// <param name="author">created_by.</param>
    /// <param name="matchers">Matchers, for example <c>alertname=Foo</c>.</param>
    /// <returns>The silence id.</returns>
    public async Task<string> AddSilenceAsync(string duration, string author, params string[] matchers)
    {
        var arguments = new List<string> { "--alertmanager.url=" + Uri, "silence", "add", "--duration=" + duration, "--author=" + author, "--comment=comment, never a label" };
        arguments.AddRange(matchers);
        return await AmtoolAsync(arguments);
    }

    /// <summary>Adds a silence that starts in the future (pending), with <c>amtool silence add --start</c>.</summary>
    /// <param name="startsIn">How far ahead it starts.</param>
    /// <param name="author">created_by.</param>
    /// <param name="matchers">Matchers.</param>
    /// <returns>The silence id.</returns>
    public async Task<string> AddPendingSilenceAsync(TimeSpan startsIn, string author, params string[] matchers)
    {
        var start = DateTimeOffset.UtcNow + startsIn;
        var arguments = new List<string> { "--alertmanager.url=" + Uri, "silence", "add", "--start=" + start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--end=" + start.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--author=" + author, "--comment=later" };
        arguments.AddRange(matchers);
        return await AmtoolAsync(arguments);
    }

    /// <summary>Expires a silence with <c>amtool silence expire</c>.</summary>
    /// <param name="id">The silence id.</param>
    /// <returns>A task.</returns>
    public async Task ExpireSilenceAsync(string id) => await AmtoolAsync(["--alertmanager.url=" + Uri, "silence", "expire", id]);

    /// <summary>GETs a path and returns the body.</summary>
    /// <param name="path">For example <c>/metrics</c>.</param>
    /// <returns>The body.</returns>
    public async Task<string> GetAsync(string path)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new System.Uri(Uri + path));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static ExternalProcess Launch(string directory, int port) => ExternalProcess.Start("prometheus-alertmanager",
    [
        "--config.file=" + Path.Combine(directory, "alertmanager.yml"),
        "--storage.path=" + Path.Combine(directory, "data"),
        $"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=warn",
    ]);

    private static async Task<string> AmtoolAsync(IEnumerable<string> arguments)
    {
        var process = ExternalProcess.Start("amtool", arguments);
        await using (process)
        {
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(20)) || process.ExitCode != 0)
            {
                throw new InvalidOperationException($"amtool {string.Join(' ', arguments)} failed:\n{process.Output}");
            }

            // Output arrives through asynchronous events; give the last line a moment.
            for (var i = 0; i < 20 && process.Output.Trim().Length == 0; i++)
            {
                await Task.Delay(25);
            }

            return process.Output.Trim();
        }
    }

    private async Task WaitReadyAsync()
    {
        await _process.WaitForPortAsync(Port);
        using var client = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new System.Uri(Uri + "/-/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("alertmanager did not become ready:\n" + _process.Output);
            }

            await Task.Delay(50);
        }
    }
}
