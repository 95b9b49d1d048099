using System.Net;
using System.Net.Sockets;

namespace Exporters.Reliability.Tests;

/// <summary>What a <see cref="FaultProxy"/> does to the traffic it carries.</summary>
public enum ProxyMode
{
    /// <summary>Forward both ways at full speed.</summary>
    Pass,

    /// <summary>Forward the target's answers one byte every 100 ms: a congested network path.</summary>
    Slow,

    /// <summary>Accept connections and forward nothing: a path that drops packets.</summary>
    Blackhole,
}

/// <summary>A TCP proxy on loopback between the host and a real target, whose behaviour a test switches.</summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;

    private FaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The current behaviour; applies to traffic from now on, on existing connections too.</summary>
    public ProxyMode Mode { get; set; } = ProxyMode.Pass;

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The real target's port.</param>
    /// <returns>The proxy.</returns>
    public static FaultProxy Start(int targetPort) => new(targetPort);

    /// <summary>Closes every carried connection, as a network failure would.</summary>
    public void DropConnections()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            _ = PumpAsync(client.GetStream(), upstream.GetStream(), towardsClient: false);
            _ = PumpAsync(upstream.GetStream(), client.GetStream(), towardsClient: true);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool towardsClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                for (var offset = 0; offset < read;)
                {
                    switch (Mode)
                    {
                        case ProxyMode.Blackhole:
                            offset = read;
                            break;
                        case ProxyMode.Slow when towardsClient:
                            await to.WriteAsync(buffer.AsMemory(offset, 1), _stop.Token);
                            offset++;
                            await Task.Delay(100, _stop.Token);
                            break;
                        default:
                            await to.WriteAsync(buffer.AsMemory(offset, read - offset), _stop.Token);
                            offset = read;
                            break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
