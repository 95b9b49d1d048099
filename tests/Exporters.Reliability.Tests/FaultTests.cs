using System.Diagnostics;
using System.Net.Sockets;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Reliability.Tests;

/// <summary>
/// Faults of real targets while the host scrapes them: killed and restarted, frozen with SIGSTOP, behind a congested
/// or dead network path, out of connections or out of file descriptors. After each fault the next scrape recovers by itself, <c>*_up</c> tells
/// the truth, the other collectors are untouched, and no scrape takes longer than Prometheus' scrape timeout.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class FaultTests
{
    private const double ScrapeTimeout = 3;

    // Descriptors the host may open during a test for reasons of its own (a runtime timer or a pooled connection).
    private const int DescriptorSlack = 1;

    private static Task<string> TimedScrapeAsync(InProcessHost host) => TimedScrapeAsync(() => host.ScrapeAsync("/metrics", ScrapeTimeout));

    private static Task<string> TimedScrapeAsync(HostProcess host) => TimedScrapeAsync(() => host.ScrapeAsync(ScrapeTimeout));

    private static async Task<string> TimedScrapeAsync(Func<Task<string>> scrape)
    {
        var clock = Stopwatch.StartNew();
        var text = await scrape();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ScrapeTimeout), $"the scrape took {clock.Elapsed}, longer than the {ScrapeTimeout}s scrape timeout");
        return text;
    }

    private static Task<string> ScrapeUntilAsync(InProcessHost host, string series, double value, int attempts = 3) =>
        ScrapeUntilAsync(() => TimedScrapeAsync(host), series, value, attempts);

    private static Task<string> ScrapeUntilAsync(HostProcess host, string series, double value, int attempts = 3) =>
        ScrapeUntilAsync(() => TimedScrapeAsync(host), series, value, attempts);

    private static async Task<string> ScrapeUntilAsync(Func<Task<string>> scrape, string series, double value, int attempts)
    {
        string text = string.Empty;
        for (var i = 0; i < attempts; i++)
        {
            text = await scrape();
            if (MetricText.Value(text, series) == value)
            {
                return text;
            }
        }

        throw new Xunit.Sdk.XunitException($"{series} was not {value} within {attempts} scrapes:\n{text}");
    }

    [Fact]
    public async Task Redis_killed_then_restarted_is_down_then_up_on_the_next_scrape()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($"""
            collectors:
              redis:
                address: "{redis.Address}"
              alertmanager:
                uri: "{alertmanager.Uri}"
            """);
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "redis_up"));

        redis.Signal(9);
        await Task.Delay(200);
        var down = await TimedScrapeAsync(host);
        Assert.Equal(0, MetricText.Require(down, "redis_up"));
        Assert.Equal(1, MetricText.Require(down, "alertmanager_api_up"));

        await redis.RestartAsync();
        // The kept connection is dead; the collector must notice and reconnect within this one scrape.
        var up = await TimedScrapeAsync(host);
        Assert.Equal(1, MetricText.Require(up, "redis_up"));
        Assert.Equal(1, MetricText.Require(up, "exporter_collector_success{collector=\"redis\"}"));
    }

    [Fact]
    public async Task Redis_frozen_with_sigstop_misses_no_deadline_and_recovers_after_sigcont()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($"collectors: {{redis: {{address: \"{redis.Address}\"}}}}");
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "redis_up"));

        redis.Signal(19);
        try
        {
            var frozen = await TimedScrapeAsync(host);
            Assert.Equal(0, MetricText.Require(frozen, "redis_up"));
            await TimedScrapeAsync(host);
        }
        finally
        {
            redis.Signal(18);
        }

        await ScrapeUntilAsync(host, "redis_up", 1, attempts: 2);
    }

    [Fact]
    public async Task Alertmanager_killed_then_restarted_is_down_then_up()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($"collectors: {{alertmanager: {{uri: \"{alertmanager.Uri}\"}}}}");
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "alertmanager_api_up"));

        alertmanager.Process.Signal(9);
        await Task.Delay(200);
        Assert.Equal(0, MetricText.Require(await TimedScrapeAsync(host), "alertmanager_api_up"));

        await alertmanager.RestartAsync();
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "alertmanager_api_up"));
    }

    [Fact]
    public async Task Alertmanager_frozen_with_sigstop_misses_no_deadline()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($"collectors: {{alertmanager: {{uri: \"{alertmanager.Uri}\"}}}}");
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "alertmanager_api_up"));

        alertmanager.Process.Signal(19);
        try
        {
            Assert.Equal(0, MetricText.Require(await TimedScrapeAsync(host), "alertmanager_api_up"));
        }
        finally
        {
            alertmanager.Process.Signal(18);
        }

        await ScrapeUntilAsync(host, "alertmanager_api_up", 1, attempts: 2);
    }

    [Theory]
    [InlineData(ProxyMode.Slow)]
    [InlineData(ProxyMode.Blackhole)]
    public async Task Congested_or_dead_network_path_to_redis_is_cut_at_the_deadline(ProxyMode fault)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var proxy = FaultProxy.Start(redis.Port);
        await using var host = await InProcessHost.StartAsync($"collectors: {{redis: {{address: \"redis://127.0.0.1:{proxy.Port}\"}}}}");
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "redis_up"));

        proxy.Mode = fault;
        Assert.Equal(0, MetricText.Require(await TimedScrapeAsync(host), "redis_up"));

        proxy.Mode = ProxyMode.Pass;
        proxy.DropConnections();
        await ScrapeUntilAsync(host, "redis_up", 1, attempts: 2);
    }

    [Fact]
    public async Task Redis_out_of_connections_is_down_and_recovers_when_one_frees()
    {
        await using var redis = await RedisServer.StartAsync("--maxclients", "1");
        using var hog = new TcpClient();
        await hog.ConnectAsync("127.0.0.1", redis.Port);
        await hog.GetStream().WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        _ = await hog.GetStream().ReadAsync(buffer);

        await using var host = await InProcessHost.StartAsync($"collectors: {{redis: {{address: \"{redis.Address}\"}}}}");
        var refused = await TimedScrapeAsync(host);
        Assert.Equal(0, MetricText.Require(refused, "redis_up"));

        hog.Dispose();
        await Task.Delay(200);
        await ScrapeUntilAsync(host, "redis_up", 1, attempts: 2);
    }

    [Theory]
    [InlineData(DescriptorLimit.AtStart)]
    [InlineData(DescriptorLimit.LoweredWhileRunning)]
    public async Task Redis_out_of_file_descriptors_is_down_in_time_and_up_again_without_a_host_restart(DescriptorLimit mode)
    {
        await using var redis = await LimitedRedis.StartAsync(mode);
        await using var sessions = await RedisServer.StartAsync();
        await using var host = await HostProcess.StartAsync($"""
            collectors:
              redis:
                address: "{redis.Address}"
                timeout: 1s
              sessions:
                type: redis
                address: "{sessions.Address}"
            """);
        const string RedisUp = "redis_up{collector_instance=\"redis\"}";
        const string SessionsUp = "redis_up{collector_instance=\"sessions\"}";
        var first = await TimedScrapeAsync(host);
        Assert.Equal(1, MetricText.Require(first, RedisUp));
        Assert.Equal(1, MetricText.Require(first, SessionsUp));
        Assert.Equal(1, host.SocketsTo(redis.Port));
        var hostDescriptors = host.OpenDescriptors();
        var hostDescriptorKinds = host.DescribeDescriptors();

        // The host keeps its connection; drop it, so the next scrape needs a new one from a server that has none left.
        using var firstHog = await redis.ConnectAsync();
        Assert.Equal(":1", await LimitedRedis.CommandAsync(firstHog, "CLIENT KILL TYPE normal SKIPME yes", TimeSpan.FromSeconds(5)));
        var (held, refusal) = await redis.TakeEveryConnectionAsync();
        try
        {
            if (mode == DescriptorLimit.AtStart)
            {
                Assert.Contains($"maxclients has been reduced to {redis.Limit - 32}", redis.Output, StringComparison.Ordinal);
                Assert.Equal("-ERR max number of clients reached", refusal);
            }
            else
            {
                Assert.Equal("no answer", refusal);
                Assert.True(redis.OpenDescriptors() >= redis.Limit, $"redis-server holds {redis.OpenDescriptors()} descriptors, limit {redis.Limit}");
            }

            var down = await TimedScrapeAsync(host);
            Assert.Equal(0, MetricText.Require(down, RedisUp));
            Assert.Equal(1, MetricText.Require(down, SessionsUp));
            Assert.Equal(1, MetricText.Require(down, "exporter_collector_success{collector=\"sessions\"}"));
            var logged = await host.WaitForLogAsync(l => l.Contains($"redis scrape of redis://127.0.0.1:{redis.Port} failed", StringComparison.Ordinal));
            // Refused: Redis answers the first command with its error and closes, so the host reads that close or, when
            // its later commands were still unread, a reset. Not accepted: nothing comes back before the deadline.
            string[] reasons = mode == DescriptorLimit.AtStart
                ? ["replies: ERR max number of clients reached", "failed: Unable to read data from the transport connection: Connection reset by peer"]
                : ["failed: timed out before the server answered"];
            Assert.True(reasons.Any(r => logged.Contains(r, StringComparison.Ordinal)), logged);

            // Every failed scrape opens a connection the server never serves; none may stay open in the host.
            var failures = mode == DescriptorLimit.AtStart ? 50 : 5;
            for (var i = 0; i < failures; i++)
            {
                Assert.Equal(0, MetricText.Require(await TimedScrapeAsync(host), RedisUp));
            }

            Assert.True(host.SocketsTo(redis.Port) <= 1, $"the host holds {host.SocketsTo(redis.Port)} sockets to the Redis server after {failures + 1} failed scrapes ({host.DescribeDescriptors()})");
            Assert.True(host.OpenDescriptors() <= hostDescriptors + DescriptorSlack, $"the host had {hostDescriptors} descriptors open before the fault ({hostDescriptorKinds}) and {host.OpenDescriptors()} after {failures + 1} failed scrapes ({host.DescribeDescriptors()})");
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        firstHog.Dispose();
        var recovered = await ScrapeUntilAsync(host, RedisUp, 1, attempts: 2);
        Assert.Equal(1, MetricText.Require(recovered, SessionsUp));
        Assert.False(host.HasExited);
        Assert.True(host.OpenDescriptors() <= hostDescriptors + DescriptorSlack, $"the host had {hostDescriptors} descriptors open before the fault ({hostDescriptorKinds}) and {host.OpenDescriptors()} after it ({host.DescribeDescriptors()})");
    }

    [Fact]
    public async Task Scrapes_while_the_target_restarts_never_exceed_the_deadline()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($"collectors: {{redis: {{address: \"{redis.Address}\"}}}}");
        using var stop = new CancellationTokenSource();
        var durations = new List<TimeSpan>();
        var scraper = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                await host.ScrapeAsync("/metrics", ScrapeTimeout);
                lock (durations)
                {
                    durations.Add(clock.Elapsed);
                }
            }
        });

        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(300);
            redis.Signal(9);
            await Task.Delay(300);
            await redis.RestartAsync();
        }

        await Task.Delay(300);
        await stop.CancelAsync();
        await scraper;
        Assert.True(durations.Count > 5, $"only {durations.Count} scrapes ran");
        Assert.All(durations, d => Assert.True(d < TimeSpan.FromSeconds(ScrapeTimeout), $"a scrape took {d}"));
        Assert.Equal(1, MetricText.Require(await TimedScrapeAsync(host), "redis_up"));
    }
}

/// <summary>Fault tests assert deadlines, so they run alone rather than beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
