using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exporters.TestSupport;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 whose answers a test scripts: a status, a body, a delay, silence, or a
/// connection dropped halfway. For fault tests where a real server cannot be made to misbehave on demand.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts a server answering every request with <paramref name="handler"/>.</summary>
    /// <param name="handler">Given the request line (for example <c>GET /metrics HTTP/1.1</c>), returns the response.</param>
    public ScriptedHttpServer(Func<string, ScriptedResponse> handler)
    {
        Handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The base URI, for example <c>http://127.0.0.1:12345</c>.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>The response script; may be replaced between requests.</summary>
    public Func<string, ScriptedResponse> Handler { get; set; }

    /// <summary>Every request header line received so far, for example <c>Authorization: Basic ...</c>.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ReceivedHeaders { get; } = new();

    /// <summary>Requests received so far.</summary>
    public int Requests => _requests;

    private int _requests;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                while (!_stop.IsCancellationRequested)
                {
                    var requestLine = await reader.ReadLineAsync(_stop.Token);
                    if (requestLine is null)
                    {
                        return;
                    }

                    string? header;
                    while (!string.IsNullOrEmpty(header = await reader.ReadLineAsync(_stop.Token)))
                    {
                        ReceivedHeaders.Enqueue(header);
                    }

                    Interlocked.Increment(ref _requests);
                    var response = Handler(requestLine);
                    if (response.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(response.Delay, _stop.Token);
                    }

                    if (response.Silent)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    var body = Encoding.UTF8.GetBytes(response.Body);
                    var head = $"HTTP/1.1 {response.Status} X\r\nContent-Type: {response.ContentType}\r\nContent-Length: {body.Length}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    if (response.DropAfterBytes is { } drop)
                    {
                        await stream.WriteAsync(body.AsMemory(0, Math.Min(drop, body.Length)), _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                        client.Client.LingerState = new LingerOption(true, 0);
                        return;
                    }

                    await stream.WriteAsync(body, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}

/// <summary>What <see cref="ScriptedHttpServer"/> answers.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body.</param>
/// <param name="ContentType">The content type.</param>
public sealed record ScriptedResponse(int Status, string Body, string ContentType = "application/json")
{
    /// <summary>Wait this long before answering.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Never answer (keep the connection open).</summary>
    public bool Silent { get; init; }

    /// <summary>Send the headers and this many body bytes, then reset the connection.</summary>
    public int? DropAfterBytes { get; init; }
}
