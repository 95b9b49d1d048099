using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisProbe;

internal static class Clients
{
    public const string Name = "plain socket";

    public static IScrapeClient CreateScrapeClient(string host, int port) => new SocketScrapeClient(host, port);

    public static IKeyClient CreateKeyClient(string host, int port) => new SocketClusterClient(host, port);
}

/// <summary>
/// The collector's way: one connection, the pipeline in one write, replies parsed where they lie in a reused buffer;
/// after a missed deadline the connection is closed and the next scrape opens a new one.
/// </summary>
internal sealed class SocketScrapeClient(string host, int port) : IScrapeClient
{
    private RespSocket? _connection;
    private bool _infoLooksRight;

    public async Task ConnectAsync(CancellationToken cancellationToken) =>
        _connection = await RespSocket.ConnectAsync(host, port, cancellationToken);

    public async Task ScrapeAsync(CancellationToken cancellationToken)
    {
        _connection ??= await RespSocket.ConnectAsync(host, port, cancellationToken);
        foreach (var command in ScrapeCommands.Pipeline)
        {
            _connection.Add(command);
        }

        await _connection.FlushAsync(cancellationToken);
        for (var i = 0; i < ScrapeCommands.Pipeline.Length; i++)
        {
            var reply = await _connection.ReadAsync(cancellationToken);
            if (i == 0)
            {
                _infoLooksRight = reply.Kind == '$' && _connection.Payload(reply).IndexOf("redis_version:"u8) >= 0;
            }
        }
    }

    public ValueTask AbandonAsync()
    {
        if (ResetOnAbandon)
        {
            _connection?.Reset();
        }

        _connection?.Dispose();
        _connection = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>PROBE_ABANDON=reset closes an abandoned connection with a TCP reset (SO_LINGER 0) instead of a FIN.</summary>
    private static bool ResetOnAbandon => Environment.GetEnvironmentVariable("PROBE_ABANDON") == "reset";

    public bool LastInfoLooksRight() => _infoLooksRight;

    public ValueTask DisposeAsync() => AbandonAsync();
}

/// <summary>
/// The least a collector needs for key checks on a cluster: a slot table learnt from MOVED replies, ASKING for ASK
/// replies, one connection per node.
/// </summary>
internal sealed class SocketClusterClient(string host, int port) : IKeyClient
{
    private const int Slots = 16384;
    private readonly Dictionary<string, RespSocket> _nodes = new(StringComparer.Ordinal);
    private readonly string?[] _slotOwner = new string?[Slots];
    private readonly string _seed = host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public long Redirects { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken) =>
        _nodes[_seed] = await RespSocket.ConnectAsync(host, port, cancellationToken);

    public async Task<long> GetLengthAsync(string key)
    {
        var slot = KeySlot(key);
        var node = _slotOwner[slot] ?? _seed;
        var asking = false;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var connection = await NodeAsync(node);
            if (asking)
            {
                connection.Add(["ASKING"]);
            }

            connection.Add(["GET", key]);
            await connection.FlushAsync(CancellationToken.None);
            if (asking)
            {
                await connection.ReadAsync(CancellationToken.None);
            }

            var reply = await connection.ReadAsync(CancellationToken.None);
            if (reply.Kind == '$')
            {
                return Math.Max(0, reply.Length);
            }

            var text = reply.Kind == '-' ? Encoding.ASCII.GetString(connection.Payload(reply)) : string.Empty;
            var parts = text.Split(' ');
            if (parts.Length == 3 && parts[0] is "MOVED" or "ASK")
            {
                Redirects++;
                node = parts[2];
                asking = parts[0] == "ASK";
                if (!asking)
                {
                    _slotOwner[slot] = node;
                }

                continue;
            }

            throw new InvalidOperationException($"GET {key}: unexpected reply '{reply.Kind}{text}'");
        }

        throw new InvalidOperationException($"GET {key}: too many redirects");
    }

    private async Task<RespSocket> NodeAsync(string node)
    {
        if (!_nodes.TryGetValue(node, out var connection))
        {
            var colon = node.LastIndexOf(':');
            connection = await RespSocket.ConnectAsync(node[..colon], int.Parse(node.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
            _nodes[node] = connection;
        }

        return connection;
    }

    /// <summary>CRC16 (XMODEM) of the key, or of its {hash tag}, modulo 16384: Redis Cluster's key slot.</summary>
    private static int KeySlot(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                key = key[(open + 1)..close];
            }
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        ushort crc = 0;
        foreach (var b in bytes[..length])
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % Slots;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var connection in _nodes.Values)
        {
            connection.Dispose();
        }

        _nodes.Clear();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A reply: its type byte and where its payload lies in the read buffer (valid until the next read).</summary>
internal readonly record struct RespReply(char Kind, int Offset, int Length);

/// <summary>RESP2 over a socket: commands encoded into one reused buffer, replies framed in another.</summary>
internal sealed class RespSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _output = new byte[8 * 1024];
    private byte[] _input = new byte[64 * 1024];
    private int _outputLength;
    private int _start;
    private int _end;

    private RespSocket(Socket socket) => _socket = socket;

    public static async Task<RespSocket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var address = IPAddress.TryParse(host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(host, cancellationToken))[0];
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            return new RespSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Add(ReadOnlySpan<string> parts)
    {
        Append((byte)'*');
        AppendNumber(parts.Length);
        foreach (var part in parts)
        {
            Append((byte)'$');
            AppendNumber(Encoding.UTF8.GetByteCount(part));
            _outputLength += Encoding.UTF8.GetBytes(part, _output.AsSpan(_outputLength));
            Append((byte)'\r');
            Append((byte)'\n');
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < _outputLength)
        {
            sent += await _socket.SendAsync(_output.AsMemory(sent, _outputLength - sent), SocketFlags.None, cancellationToken);
        }

        _outputLength = 0;
    }

    public ReadOnlySpan<byte> Payload(RespReply reply) => _input.AsSpan(reply.Offset, Math.Max(0, reply.Length));

    public async Task<RespReply> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = Measure(_input.AsSpan(_start, _end - _start));
            if (size > 0)
            {
                var reply = Describe(_start);
                _start += size;
                return reply;
            }

            if (_start > 0)
            {
                _input.AsSpan(_start, _end - _start).CopyTo(_input);
                _end -= _start;
                _start = 0;
            }

            if (_end == _input.Length)
            {
                Array.Resize(ref _input, _input.Length * 2);
            }

            var read = await _socket.ReceiveAsync(_input.AsMemory(_end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            _end += read;
        }
    }

    private RespReply Describe(int start)
    {
        var line = _input.AsSpan(start).IndexOf("\r\n"u8);
        var kind = (char)_input[start];
        if (kind is '$')
        {
            return new RespReply(kind, start + line + 2, (int)Number(_input.AsSpan(start + 1, line - 1)));
        }

        return new RespReply(kind, start + 1, line - 1);
    }

    /// <summary>The length of the complete value at the start of <paramref name="data"/>, or -1 when more is needed.</summary>
    private static int Measure(ReadOnlySpan<byte> data)
    {
        var line = data.IndexOf("\r\n"u8);
        if (line < 0)
        {
            return -1;
        }

        switch (data[0])
        {
            case (byte)'+' or (byte)'-' or (byte)':':
                return line + 2;
            case (byte)'$':
                {
                    var length = Number(data[1..line]);
                    var total = length < 0 ? line + 2 : line + 2 + length + 2;
                    return data.Length >= total ? (int)total : -1;
                }

            case (byte)'*':
                {
                    var count = Number(data[1..line]);
                    var position = line + 2;
                    for (var i = 0; i < count; i++)
                    {
                        var element = Measure(data[position..]);
                        if (element < 0)
                        {
                            return -1;
                        }

                        position += element;
                    }

                    return position;
                }

            default:
                throw new InvalidDataException($"not a RESP2 reply: type byte {data[0]}");
        }
    }

    private static long Number(ReadOnlySpan<byte> text) =>
        Utf8Parser.TryParse(text, out long value, out var used) && used == text.Length ? value : throw new InvalidDataException("not a RESP length");

    private void Append(byte value) => _output[_outputLength++] = value;

    private void AppendNumber(int value)
    {
        Utf8Formatter.TryFormat(value, _output.AsSpan(_outputLength), out var written);
        _outputLength += written;
        Append((byte)'\r');
        Append((byte)'\n');
    }

    /// <summary>Makes the close that follows send a TCP reset rather than a FIN.</summary>
    public void Reset() => _socket.LingerState = new LingerOption(true, 0);

    public void Dispose() => _socket.Dispose();
}
