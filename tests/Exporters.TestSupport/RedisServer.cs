using System.Net.Sockets;

namespace Exporters.TestSupport;

/// <summary>A real redis-server on a free loopback port with a throwaway directory.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private ExternalProcess _process;
    private readonly string[] _arguments;

    private RedisServer(ExternalProcess process, int port, string directory, string[] arguments)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _arguments = arguments;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Address => $"redis://127.0.0.1:{Port}";

    public string Output => _process.Output;

    public static async Task<RedisServer> StartAsync(params string[] extra)
    {
        var port = Tools.FreePort();
        var directory = Tools.TempDirectory("redis");
        string[] arguments = ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, .. extra];
        var process = ExternalProcess.Start("redis-server", arguments);
        var server = new RedisServer(process, port, directory, arguments);
        await process.WaitForPortAsync(port);
        return server;
    }

    /// <summary>A server listening only with TLS on <paramref name="tlsPort"/>.</summary>
    public static async Task<RedisServer> StartTlsAsync(int tlsPort, params string[] extra)
    {
        var directory = Tools.TempDirectory("redis-tls");
        string[] arguments = ["--port", "0", "--tls-port", tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--dir", directory, .. extra];
        var process = ExternalProcess.Start("redis-server", arguments);
        var server = new RedisServer(process, tlsPort, directory, arguments);
        await process.WaitForPortAsync(tlsPort);
        return server;
    }

    /// <summary>Runs redis-cli against the server (for setting up data).</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var process = ExternalProcess.Start("redis-cli", ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);
        await using (process)
        {
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("redis-cli did not finish");
            }

            return process.Output.Trim();
        }
    }

    /// <summary>Sends a signal to the server (SIGSTOP 19 freezes it with its connections open, SIGCONT 18 resumes it).</summary>
    public void Signal(int signal) => _process.Signal(signal);

    /// <summary>Kills the server and starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        await _process.DisposeAsync();
        for (var i = 0; ; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                break;
            }

            if (i > 100)
            {
                throw new InvalidOperationException("old server still listening");
            }
        }

        _process = ExternalProcess.Start("redis-server", _arguments);
        await _process.WaitForPortAsync(Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
