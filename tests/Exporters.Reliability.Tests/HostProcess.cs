using System.Globalization;
using Exporters.TestSupport;

namespace Exporters.Reliability.Tests;

/// <summary>
/// The host as its own process (<c>dotnet exporters.dll</c>), for faults whose effect on the host is counted from
/// outside: its descriptors in <c>/proc/&lt;pid&gt;/fd</c> and what it logs.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly HttpClient _client;

    private HostProcess(ExternalProcess process, int port)
    {
        _process = process;
        Port = port;
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Id => _process.Id;

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the host logged so far.</summary>
    public string Output => _process.Output;

    public static async Task<HostProcess> StartAsync(string yaml)
    {
        var directory = Tools.TempDirectory("host-process");
        var config = Path.Combine(directory, "config.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var port = Tools.FreePort();
        var dll = Tools.StockExecutableAssembly();
        var process = ExternalProcess.Start("dotnet", [dll, $"--web.listen-address=127.0.0.1:{port}", $"--config.file={config}"], directory);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        return new HostProcess(process, port);
    }

    /// <summary>The first line of the host's log that matches, waiting a moment for output still in the pipe.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> match)
    {
        for (var i = 0; i < 40; i++)
        {
            var line = Output.Split('\n').FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("no such line in the host's log:\n" + Output);
    }

    /// <summary>
    /// The host's open descriptors, counted by the kernel, less the assemblies and symbol files it has loaded: the
    /// runtime keeps those open for the life of the process and opens more the first time a code path needs them
    /// (formatting an exception's stack trace loads four), which is not a leak.
    /// </summary>
    public int OpenDescriptors() => DescriptorKinds().Count(k => !k.EndsWith(".dll", StringComparison.Ordinal) && !k.EndsWith(".pdb", StringComparison.Ordinal));

    /// <summary>
    /// What the host's descriptors are, for a failure message: counts by kind, and TCP sockets by state and remote
    /// port (from <c>/proc/net/tcp</c> and <c>tcp6</c>).
    /// </summary>
    public string DescribeDescriptors() =>
        string.Join(", ", DescriptorKinds().Select(k => k.StartsWith('/') ? "file" : k).GroupBy(k => k, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>The host's descriptors: files by path, sockets and the rest by kind.</summary>
    public IReadOnlyList<string> Descriptors() => DescriptorKinds();

    /// <summary>The host's TCP sockets connected to <paramref name="port"/> on any address, in any state.</summary>
    public int SocketsTo(int port) => DescriptorKinds().Count(k => k.EndsWith($" to port {port}", StringComparison.Ordinal));

    private List<string> DescriptorKinds()
    {
        var sockets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9)
                {
                    var remote = fields[2];
                    var port = int.Parse(remote[(remote.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sockets[fields[9]] = $"tcp (state {fields[3]}) to port {port}";
                }
            }
        }

        var kinds = new List<string>();
        foreach (var entry in Directory.GetFileSystemEntries($"/proc/{Id}/fd"))
        {
            string target;
            try
            {
                target = new FileInfo(entry).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                continue;
            }

            kinds.Add(target.StartsWith("socket:[", StringComparison.Ordinal) && sockets.TryGetValue(target[8..^1], out var tcp) ? tcp
                : target.StartsWith("socket:", StringComparison.Ordinal) ? "socket (not tcp)"
                : target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe"
                : target.StartsWith("anon_inode:", StringComparison.Ordinal) ? target
                : target);
        }

        return kinds;
    }

    /// <summary>GETs <c>/metrics</c> with Prometheus' scrape-timeout header.</summary>
    public async Task<string> ScrapeAsync(double scrapeTimeoutSeconds)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("X-Prometheus-Scrape-Timeout-Seconds", scrapeTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        using var response = await _client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync();
    }
}
