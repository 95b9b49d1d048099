using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exporters.Security.Tests.Fuzz;

/// <summary>
/// A TCP server that reads RESP commands the way Redis does and answers each with what <see cref="Reply"/> says,
/// so the Redis collector's protocol and INFO parsers meet generated replies over a real socket.
/// </summary>
public sealed class FuzzRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FuzzRedisServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>Command name (upper case) → the bytes to answer, or null to close the connection.</summary>
    public Func<string, string?> Reply { get; set; } = _ => "+OK\r\n";

    /// <summary>When set, INFO is answered with a bulk string of this many bytes, streamed without holding it in memory.</summary>
    public long? HugeInfoBytes { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.Latin1, false, 4096, leaveOpen: true);
                while (!_stop.IsCancellationRequested)
                {
                    var head = await reader.ReadLineAsync(_stop.Token);
                    if (head is null || !head.StartsWith('*') || !int.TryParse(head.AsSpan(1), out var count))
                    {
                        return;
                    }

                    var args = new List<string>();
                    for (var i = 0; i < count; i++)
                    {
                        _ = await reader.ReadLineAsync(_stop.Token);
                        args.Add(await reader.ReadLineAsync(_stop.Token) ?? string.Empty);
                    }

                    var command = args.Count > 0 ? args[0].ToUpperInvariant() : string.Empty;
                    if (command == "INFO" && HugeInfoBytes is { } huge)
                    {
                        await StreamHugeAsync(stream, huge);
                        return;
                    }

                    var reply = Reply(command);
                    if (reply is null)
                    {
                        return;
                    }

                    await stream.WriteAsync(Encoding.UTF8.GetBytes(reply), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task StreamHugeAsync(NetworkStream stream, long bytes)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"${bytes}\r\n"), _stop.Token);
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("used_memory:1\r\n", 4096)));
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)), _stop.Token);
        }
    }
}
