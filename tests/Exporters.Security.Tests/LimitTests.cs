using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Exporters.Security.Tests;

public class LimitTests
{
    [Fact]
    public async Task Scrapes_past_max_requests_get_429_and_health_checks_do_not_count()
    {
        await using var host = await TestHost.StartAsync("collectors:\n  sample:\n    address: 127.0.0.1:7000\n    delay: 3s\n    timeout: 10s\n", extraArgs: ["--web.max-requests=2"]);
        using var client = host.Client();

        // Each scrape waits 3 s in the collector, so the three overlap and exactly one is over the limit.
        var scrapes = Task.WhenAll(Enumerable.Range(0, 3).Select(i => client.GetAsync(i == 0 ? "/metrics" : "/metrics/sample")));
        await Task.Delay(500);
        using (var health = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var responses = await scrapes;
        try
        {
            Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var refused = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Contains("--web.max-requests=2", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        using var after = await client.GetAsync("/metrics/sample");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Oversized_headers_and_bodies_are_refused()
    {
        await using var host = await TestHost.StartAsync();
        using var client = host.Client();
        using var big = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        big.Headers.TryAddWithoutValidation("X-Padding", new string('a', 20 * 1024));
        using (var response = await client.SendAsync(big))
        {
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }

        using var body = new HttpRequestMessage(HttpMethod.Post, "/-/reload") { Content = new ByteArrayContent(new byte[200 * 1024]) };
        using (var response = await client.SendAsync(body))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        using var longUrl = await client.GetAsync("/metrics/" + new string('x', 10 * 1024));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_disconnected()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--web.read-header-timeout=1s"]);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));

        // Kestrel answers 408 and closes about a second after the 1 s limit; the 8 s bound is below the 10 s default,
        // so a flag that is not applied fails here.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var received = new MemoryStream();
        var buffer = new byte[1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        var text = Encoding.ASCII.GetString(received.ToArray());
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), text);
    }
}
