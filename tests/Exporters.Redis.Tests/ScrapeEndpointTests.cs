using System.Globalization;
using System.Net;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>
/// redis_exporter's multi-target <c>/scrape?target=</c>, started as <c>redis_exporter</c>: off unless
/// <c>--scrape-allowed-targets</c> names what it may reach (the <c>/probe</c> allow-list), with redis_exporter's
/// per-request parameters.
/// </summary>
public sealed class ScrapeEndpointTests
{
    private static async Task<(Hosting.ExporterApplication App, HttpClient Client)> StartAsync(params string[] args)
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"-web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", .. args], null);
        builder.ProgramName = "redis_exporter";
        var app = builder.Build();
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(30) });
    }

    private static async Task StopAsync(Hosting.ExporterApplication app, HttpClient client)
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Scrape_takes_a_target_and_the_per_request_key_checks_within_the_allow_list()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "jobs:done", "12");
        await redis.CliAsync("XADD", "events", "*", "a", "1");
        var (app, client) = await StartAsync("-redis.addr=", "-scrape-allowed-targets=127.0.0.1:*");
        try
        {
            var target = Uri.EscapeDataString($"127.0.0.1:{redis.Port.ToString(CultureInfo.InvariantCulture)}");
            var body = await client.GetStringAsync(new Uri($"/scrape?target={target}&check-keys=jobs:*&check-single-streams=events&count-keys=db0%3Djobs:*", UriKind.Relative));
            var parsed = Exposition.Parse(body);
            Assert.True(parsed.Value("redis_up") == 1, body);
            Assert.Equal(12, parsed.Value("redis_key_value", ("db", "db0"), ("key", "jobs:done")));
            Assert.Equal(1, parsed.Value("redis_stream_length", ("db", "db0"), ("stream", "events")));
            Assert.Equal(1, parsed.Value("redis_keys_count", ("db", "db0"), ("key", "jobs:*")));

            // With an empty --redis.addr, /metrics scrapes nothing by itself, as redis_exporter's does.
            Assert.DoesNotContain("redis_up", await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);

            using var refused = await client.GetAsync(new Uri("/scrape?target=10.1.2.3:6379", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

            var unknown = await client.GetStringAsync(new Uri($"/scrape?target={target}&check-kyes=x", UriKind.Relative));
            Assert.Contains("redis_up 0", unknown, StringComparison.Ordinal);
            Assert.Contains("unknown parameter 'check-kyes'", unknown, StringComparison.Ordinal);

            var invalid = await client.GetStringAsync(new Uri($"/scrape?target={target}&count-keys=dbx%3Dfoo", UriKind.Relative));
            Assert.Contains("redis_up 0", invalid, StringComparison.Ordinal);
            Assert.Contains("parameter count-keys", invalid, StringComparison.Ordinal);
            Assert.Contains("redis_target_scrape_request_errors_total 2", invalid, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app, client);
        }
    }

    [Fact]
    public async Task Scrape_is_off_without_an_allow_list_even_when_redis_addr_is_empty()
    {
        var (app, client) = await StartAsync("-redis.addr=");
        try
        {
            using var response = await client.GetAsync(new Uri("/scrape?target=127.0.0.1:6379", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            await StopAsync(app, client);
        }
    }

    [Fact]
    public async Task Credentials_of_the_configured_instance_never_go_to_a_scrape_target()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", "only-for-the-sidecar");
        await using var other = await RedisServer.StartAsync();
        var (app, client) = await StartAsync($"-redis.addr={redis.Address}", "-redis.password=only-for-the-sidecar", "-scrape-allowed-targets=127.0.0.1:*");
        try
        {
            var own = await client.GetStringAsync(new Uri($"/scrape?target={Uri.EscapeDataString(redis.Address)}", UriKind.Relative));
            Assert.Contains("redis_up 1", own, StringComparison.Ordinal);
            await other.CliAsync("CONFIG", "SET", "requirepass", "other-secret");
            var foreign = await client.GetStringAsync(new Uri($"/scrape?target=127.0.0.1:{other.Port.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative));
            Assert.Contains("redis_up 0", foreign, StringComparison.Ordinal);
            Assert.DoesNotContain("only-for-the-sidecar", foreign, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app, client);
        }
    }
}
