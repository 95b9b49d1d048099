using System.Diagnostics;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

[Collection(TimingCollection.Name)]
public sealed class ConnectionTests
{
    [Fact]
    public async Task A_server_that_accepts_and_says_nothing_gives_up_0_before_the_deadline()
    {
        await using var server = new FakeRedisServer(_ => null);
        await using var harness = Scrapes.Harness(server.Address);
        var watch = Stopwatch.StartNew();
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(1));
        watch.Stop();
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal(1, parsed.Value("redis_exporter_last_scrape_error", ("err", "timed out before the server answered")));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("timed out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_closed_port_gives_up_0()
    {
        await using var harness = Scrapes.Harness($"redis://127.0.0.1:{Exporters.TestSupport.Tools.FreePort()}");
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(2));
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.Equal(1, parsed.Value("redis_exporter_scrapes_total"));
    }

    [Fact]
    public async Task Each_scrape_after_the_first_sends_every_command_in_one_write_on_one_connection()
    {
        await using var server = new FakeRedisServer(FakeReplies.Handler());
        await using var harness = Scrapes.Harness(server.Address);
        for (var i = 0; i < 3; i++)
        {
            var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
            Assert.Equal(1, parsed.Value("redis_up"));
        }

        Assert.Equal(1, server.Connections);
        var batches = server.Batches.ToArray();
        // First scrape: setup and INFO, then the rest once the server's version is known; then one batch a scrape.
        Assert.Equal(4, batches.Length);
        Assert.Equal(["CLIENT", "SETNAME", "redis_exporter"], batches[0][0]);
        var steady = batches[3].Select(c => string.Join(' ', c.Take(2))).ToList();
        Assert.Equal(["INFO ALL", "CONFIG GET", "SLOWLOG LEN", "SLOWLOG GET", "LATENCY LATEST", "LATENCY HISTOGRAM"], steady);
        Assert.Equal(["CONFIG", "GET", "maxmemory", "maxclients", "io-threads", "databases", "repl-backlog-size", "client-output-buffer-limit"], batches[3][1]);
    }

    [Fact]
    public async Task A_server_closing_mid_reply_gives_up_0_and_the_next_scrape_reconnects()
    {
        var truncate = true;
        await using var server = new FakeRedisServer(
            FakeReplies.Handler(overrides: command => truncate && command[0] == "INFO" ? FakeReplies.Bytes("$500\r\n# Server\r\nredis_version:7.2") : null),
            closeAfter: command => truncate && command[0] == "INFO");
        await using var harness = Scrapes.Harness(server.Address);
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(3));
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("closed the connection", StringComparison.Ordinal));

        truncate = false;
        (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(3));
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task The_connection_is_reestablished_after_a_server_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var harness = Scrapes.Harness(redis.Address);
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        var before = (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_process_id");
        await redis.RestartAsync();
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.NotEqual(before, parsed.Value("redis_process_id"));
        Assert.True(parsed.Value("redis_exporter_last_scrape_connect_time_seconds") > 0);
    }

    [Fact]
    public async Task The_connection_is_kept_between_scrapes_of_a_real_server()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var harness = Scrapes.Harness(redis.Address);
        var first = (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_connections_received_total");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }

        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(first, parsed.Value("redis_connections_received_total"));
        Assert.Equal(0, parsed.Value("redis_exporter_last_scrape_connect_time_seconds"));
        Assert.Contains("name=redis_exporter", await redis.CliAsync("CLIENT", "LIST"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connects_over_a_unix_socket()
    {
        var directory = Exporters.TestSupport.Tools.TempDirectory("redis-unix");
        var socket = Path.Combine(directory, "redis.sock");
        await using var process = Exporters.TestSupport.ExternalProcess.Start("redis-server", ["--port", "0", "--unixsocket", socket, "--save", "", "--dir", directory]);
        for (var i = 0; i < 100 && !File.Exists(socket); i++)
        {
            await Task.Delay(50);
        }

        await using var harness = Scrapes.Harness("unix://" + socket);
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
    }

    [Fact]
    public async Task A_frozen_server_on_a_kept_connection_gives_up_0_in_time_and_recovers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var harness = Scrapes.Harness(redis.Address);
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        redis.Signal(19);
        try
        {
            var watch = Stopwatch.StartNew();
            var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(1));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
            Assert.Equal(0, parsed.Value("redis_up"));
        }
        finally
        {
            redis.Signal(18);
        }

        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
    }
}
