using System.Net;
using System.Text;
using Exporters.Hosting.Web;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

public class ProbeTests
{
    [Theory]
    [InlineData("local*:*", "localhost:6379", false)] // a name pattern that resolves to loopback
    [InlineData("local*:*", "redis://localhost:6379", false)]
    [InlineData("localhost:*", "localhost:6379", true)] // localhost named on purpose
    [InlineData("*:6379", "127.0.0.1:6379", false)] // a wildcard does not reach loopback
    [InlineData("*:80", "169.254.169.254:80", false)] // nor the cloud metadata service
    [InlineData("*:80", "[::1]:80", false)]
    [InlineData("*:80", "[::ffff:127.0.0.1]:80", false)]
    [InlineData("*:80", "0.0.0.0:80", false)]
    [InlineData("*:6379", "10.1.2.3:6379", true)] // ordinary unicast through a name pattern
    [InlineData("local*:*|127.0.0.0/8:*", "localhost:6379", true)] // loopback listed as a range
    [InlineData("10.0.0.0/8:6379", "10.200.1.1:6379", true)]
    [InlineData("10.0.0.0/8:6379", "10.200.1.1:6380", false)]
    [InlineData("10.0.0.0/8:6379", "11.0.0.1:6379", false)]
    [InlineData("127.0.0.1:7*", "127.0.0.1:7001", true)]
    [InlineData("[::1]:*", "[::1]:9200", true)]
    [InlineData("*", "::1", false)] // a bare IPv6 address is an address, not host ":" and port "1"
    [InlineData("*", "127.0.0.1", false)]
    [InlineData("*", "10.0.0.1", true)]
    [InlineData("*", "x%y:1", false)]
    [InlineData("*.cache.svc.cluster.local:6379", "redis-0.cache.svc.cluster.local:6379", true)] // does not resolve: reaches nothing
    public async Task Addresses_are_checked_after_resolution(string patterns, string target, bool allowed)
    {
        var policy = new ProbeTargetPolicy(patterns.Split('|'));
        var (result, reason) = await policy.IsAllowedAsync(target, CancellationToken.None);
        Assert.True(allowed == result, $"{target} with {patterns}: {result} ({reason})");
    }

    [Fact]
    public async Task The_host_refuses_a_name_that_resolves_outside_the_list_with_403()
    {
        await using var host = await TestHost.StartAsync("probe:\n  enabled: true\n  allowed_targets: [\"local*:*\"]\ncollectors:\n  sample:\n    address: 127.0.0.1:7000\n");
        using var client = host.Client();
        using var response = await client.GetAsync("/probe?collector=sample&target=localhost:7000");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("resolves to", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_collectors_do_not_follow_redirects_to_other_hosts()
    {
        // The second server would answer if a redirect were followed; it must never see a request.
        await using var elsewhere = new ScriptedHttpServer(_ => new ScriptedResponse(200, "# TYPE leaked gauge\nleaked 1\n", "text/plain"));
        await using var redirecting = new RedirectingServer($"http://127.0.0.1:{elsewhere.Port}/metrics");
        await using var host = await TestHost.StartAsync($"""
            collectors:
              passthrough:
                uri: http://127.0.0.1:{redirecting.Port}/metrics
              elasticsearch:
                uri: http://127.0.0.1:{redirecting.Port}
              alertmanager:
                uri: http://127.0.0.1:{redirecting.Port}
            """);
        using var client = host.Client();
        var text = await client.GetStringAsync("/metrics");
        Assert.True(redirecting.Requests > 0, "the collectors never asked the redirecting server");
        Assert.Equal(0, elsewhere.Requests);
        Assert.DoesNotContain("leaked", text, StringComparison.Ordinal);
    }

    /// <summary>Answers every request with 302 to another address.</summary>
    private sealed class RedirectingServer : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public RedirectingServer(string location)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        var stream = client.GetStream();
                        var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                        while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token)))
                        {
                        }

                        Interlocked.Increment(ref _requests);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }

        public int Port { get; }

        public int Requests => Volatile.Read(ref _requests);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
