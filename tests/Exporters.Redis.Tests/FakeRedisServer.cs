using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exporters.Redis.Tests;

/// <summary>
/// A loopback TCP server that speaks just enough RESP to feed the collector chosen replies: it records every command
/// and every read's worth of commands, and can stay silent or close mid-reply.
/// </summary>
internal sealed class FakeRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string[], byte[]?> _handler;
    private readonly Func<string[], bool>? _closeAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    /// <param name="handler">The reply to a command: bytes, null to stay silent, or empty to close the connection.</param>
    /// <param name="closeAfter">Whether to close the connection right after sending the reply to a command.</param>
    public FakeRedisServer(Func<string[], byte[]?> handler, Func<string[], bool>? closeAfter = null)
    {
        _handler = handler;
        _closeAfter = closeAfter;
        _listener.Start();
        _tasks.Add(AcceptLoopAsync());
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"redis://127.0.0.1:{Port}";

    /// <summary>Every command received, in order.</summary>
    public ConcurrentQueue<string[]> Commands { get; } = new();

    /// <summary>The commands of each batch the server read before answering.</summary>
    public ConcurrentQueue<List<string[]>> Batches { get; } = new();

    public int Connections;

    /// <summary>A reply that is a bulk string.</summary>
    public static byte[] Bulk(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [.. Encoding.ASCII.GetBytes($"${bytes.Length}\r\n"), .. bytes, .. "\r\n"u8];
    }

    public static byte[] Raw(string text) => Encoding.UTF8.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref Connections);
            lock (_tasks)
            {
                _tasks.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[1 << 16];
        var pending = new List<byte>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, read));
                var batch = new List<string[]>();
                while (TryParseCommand(pending, out var command))
                {
                    batch.Add(command);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                Batches.Enqueue(batch);
                foreach (var command in batch)
                {
                    Commands.Enqueue(command);
                    var reply = _handler(command);
                    if (reply is null)
                    {
                        // Silent: keep the connection open and say nothing.
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    }

                    if (reply.Length == 0)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }

                    await socket.SendAsync(reply, _stop.Token);
                    if (_closeAfter?.Invoke(command) == true)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static bool TryParseCommand(List<byte> pending, out string[] command)
    {
        command = [];
        var text = Encoding.UTF8.GetString([.. pending]);
        if (text.Length == 0 || text[0] != '*')
        {
            return false;
        }

        var position = 0;
        if (!ReadLine(text, ref position, out var countLine))
        {
            return false;
        }

        var count = int.Parse(countLine[1..], System.Globalization.CultureInfo.InvariantCulture);
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (!ReadLine(text, ref position, out var lengthLine))
            {
                return false;
            }

            var length = int.Parse(lengthLine[1..], System.Globalization.CultureInfo.InvariantCulture);
            if (position + length + 2 > text.Length)
            {
                return false;
            }

            parts[i] = text.Substring(position, length);
            position += length + 2;
        }

        pending.RemoveRange(0, Encoding.UTF8.GetByteCount(text[..position]));
        command = parts;
        return true;
    }

    private static bool ReadLine(string text, ref int position, out string line)
    {
        var end = text.IndexOf("\r\n", position, StringComparison.Ordinal);
        if (end < 0)
        {
            line = string.Empty;
            return false;
        }

        line = text[position..end];
        position = end + 2;
        return true;
    }
}
