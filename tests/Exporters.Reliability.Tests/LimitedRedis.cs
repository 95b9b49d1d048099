using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Exporters.TestSupport;

namespace Exporters.Reliability.Tests;

/// <summary>How a redis-server comes to run out of file descriptors.</summary>
public enum DescriptorLimit
{
    /// <summary>
    /// Started under <c>prlimit --nofile</c>: Redis lowers <c>maxclients</c> to fit (the limit less the 32 it keeps
    /// for itself) and answers a connection past it with <c>-ERR max number of clients reached</c>.
    /// </summary>
    AtStart,

    /// <summary>
    /// The limit lowered under a running server (<c>prlimit --pid</c>), as when another part of the process leaks
    /// descriptors: <c>maxclients</c> stays at 10,000, <c>accept()</c> fails with <c>EMFILE</c>, and a new
    /// connection waits in the listen backlog with nobody reading it.
    /// </summary>
    LoweredWhileRunning,
}

/// <summary>A real redis-server whose descriptor limit is low enough for a test to take every one of them.</summary>
internal sealed class LimitedRedis : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private LimitedRedis(ExternalProcess process, int port, string directory, DescriptorLimit mode, int limit)
    {
        _process = process;
        Port = port;
        _directory = directory;
        Mode = mode;
        Limit = limit;
    }

    public int Port { get; }

    public DescriptorLimit Mode { get; }

    /// <summary>The server's <c>RLIMIT_NOFILE</c>.</summary>
    public int Limit { get; }

    public string Address => $"redis://127.0.0.1:{Port}";

    public string Output => _process.Output;

    public static async Task<LimitedRedis> StartAsync(DescriptorLimit mode)
    {
        var port = Tools.FreePort();
        var directory = Tools.TempDirectory("redis-fd");
        string[] arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory];
        if (mode == DescriptorLimit.AtStart)
        {
            // 64 descriptors: Redis keeps 32 for itself, so maxclients becomes 32.
            const int limit = 64;
            var process = ExternalProcess.Start("prlimit", [$"--nofile={limit}:{limit}", "redis-server", .. arguments]);
            await process.WaitForPortAsync(port);
            return new LimitedRedis(process, port, directory, mode, limit);
        }

        // At EMFILE Redis 7 retries accept() on every turn of its event loop and logs each failure (about 60 MB/s),
        // so its log goes nowhere for this fault.
        var server = ExternalProcess.Start("redis-server", [.. arguments, "--logfile", "/dev/null"]);
        await server.WaitForPortAsync(port);
        var lowered = Descriptors(server.Id) + 16;
        await using var prlimit = ExternalProcess.Start("prlimit", ["--pid", server.Id.ToString(CultureInfo.InvariantCulture), $"--nofile={lowered}:{lowered}"]);
        if (!await prlimit.WaitForExitAsync(TimeSpan.FromSeconds(10)) || prlimit.ExitCode != 0)
        {
            throw new InvalidOperationException("prlimit --pid failed: " + prlimit.Output);
        }

        return new LimitedRedis(server, port, directory, mode, lowered);
    }

    /// <summary>The server's open descriptors, counted by the kernel.</summary>
    public int OpenDescriptors() => Descriptors(_process.Id);

    /// <summary>Opens a connection and checks it is served (PING answered).</summary>
    public async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var reply = await CommandAsync(client, "PING", TimeSpan.FromSeconds(5));
        return reply == "+PONG" ? client : throw new InvalidOperationException($"PING answered '{reply}'");
    }

    /// <summary>
    /// Opens idle connections until the server takes no more: the last one is refused (<see cref="DescriptorLimit.AtStart"/>)
    /// or never accepted (<see cref="DescriptorLimit.LoweredWhileRunning"/>, kept open in the backlog). Returns every
    /// connection still open and what the last one got.
    /// </summary>
    public async Task<(List<TcpClient> Held, string Refusal)> TakeEveryConnectionAsync()
    {
        var held = new List<TcpClient>();
        for (var i = 0; i < 1000; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var reply = await CommandAsync(client, "PING", TimeSpan.FromSeconds(1));
            if (reply == "+PONG")
            {
                held.Add(client);
                continue;
            }

            if (reply is null)
            {
                held.Add(client);
                return (held, "no answer");
            }

            client.Dispose();
            return (held, reply);
        }

        throw new InvalidOperationException($"redis-server still accepted connections after 1000 ({OpenDescriptors()} descriptors open, limit {Limit})");
    }

    /// <summary>Sends one inline command; the first reply line, or null when none comes within <paramref name="wait"/>.</summary>
    public static async Task<string?> CommandAsync(TcpClient client, string command, TimeSpan wait)
    {
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[256];
        var length = 0;
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (length < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                var end = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    return text[..end];
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
        }

        return length == 0 ? "(closed)" : Encoding.ASCII.GetString(buffer, 0, length);
    }

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

    private static int Descriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
}
