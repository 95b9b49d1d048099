using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Exporters.Abstractions;

namespace Exporters.Redis.Protocol;

/// <summary>TLS settings resolved for one connection.</summary>
internal sealed record TlsSettings(string? CaFile, string? CertFile, string? KeyFile, string? ServerName, bool SkipVerify);

/// <summary>
/// One connection to a Redis server. Commands are sent in batches: a batch is written with one flush and its replies
/// are read back in order, so a scrape costs one round trip. Any failure leaves the connection broken; callers
/// dispose it and open a new one.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, ICommandChannel
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly long _maxReplyBytes;

    private RedisConnection(Socket socket, Stream stream, long maxReplyBytes)
    {
        _socket = socket;
        _stream = stream;
        _maxReplyBytes = maxReplyBytes;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Whether a failure has left the connection unusable.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Opens a connection (TCP or Unix socket, then TLS when asked) within <paramref name="cancellationToken"/>.</summary>
    public static async Task<RedisConnection> ConnectAsync(RedisEndpoint endpoint, TlsSettings? tls, long maxReplyBytes, CancellationToken cancellationToken)
    {
        Socket socket;
        EndPoint target;
        if (endpoint.SocketPath is not null)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(endpoint.SocketPath);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            target = IPAddress.TryParse(endpoint.Host, out var ip) ? new IPEndPoint(ip, endpoint.Port) : new DnsEndPoint(endpoint.Host!, endpoint.Port);
        }

        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (endpoint.UseTls)
            {
                stream = await AuthenticateAsync(stream, endpoint, tls, cancellationToken);
            }

            return new RedisConnection(socket, stream, maxReplyBytes);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends every command in one write and returns their replies in order (error replies included, not thrown).</summary>
    public async Task<RespValue[]> ExecuteAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        try
        {
            foreach (var command in commands)
            {
                RespCommandWriter.Write(_writer, command);
            }

            var flush = await _writer.FlushAsync(cancellationToken);
            if (flush.IsCompleted)
            {
                throw new IOException("the server closed the connection");
            }

            var replies = new RespValue[commands.Count];
            var arena = new RespArena();
            var received = 0;
            while (received < replies.Length)
            {
                var result = await _reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                while (received < replies.Length && RespParser.TryParse(ref reader, _maxReplyBytes, arena, out var reply))
                {
                    if (reply.Kind == RespKind.Push)
                    {
                        // Out-of-band RESP3 pushes are not replies to our commands.
                        continue;
                    }

                    replies[received++] = reply;
                }

                if (received < replies.Length && reader.Remaining > _maxReplyBytes)
                {
                    throw new RespProtocolException($"a reply exceeds the limit of {_maxReplyBytes} bytes");
                }

                _reader.AdvanceTo(reader.Position, buffer.End);
                if (received < replies.Length && result.IsCompleted)
                {
                    // A server that refuses a client (max number of clients reached) says why in an error reply
                    // and closes: that reason, not the count, is what the operator needs.
                    var reason = received > 0 && replies[received - 1].IsError ? $": {replies[received - 1].AsString()}" : string.Empty;
                    throw new IOException($"the server closed the connection after {received} of {replies.Length} replies{reason}");
                }
            }

            return replies;
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        try
        {
            await _reader.CompleteAsync();
            await _writer.CompleteAsync();
            await _stream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // A connection being dropped is often already dead; closing it must not fail the scrape.
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private static async Task<Stream> AuthenticateAsync(Stream inner, RedisEndpoint endpoint, TlsSettings? tls, CancellationToken cancellationToken)
    {
        var options = ClientTls.CreateOptions(tls?.ServerName ?? endpoint.Host, tls?.CaFile, tls?.CertFile, tls?.KeyFile, tls?.SkipVerify == true);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }
}
