using System.Diagnostics;
using System.Net.Sockets;
using Exporters.Testing;

namespace Exporters.Reliability.Tests;

/// <summary>
/// Faults of real targets while the host scrapes them: killed and restarted, frozen with SIGSTOP, behind a congested
/// or dead network path, out of connections. After each fault the next scrape recovers by itself, <c>*_up</c> tells
/// the truth, the other collectors are untouched, and no scrape takes longer than Prometheus' scrape timeout.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class FaultTests
{
    private const double ScrapeTimeout = 3;

    private static async Task<string> TimedScrapeAsync(InProcessHost host)
    {
        var clock = Stopwatch.StartNew();
        var text = await host.ScrapeAsync("/metrics", ScrapeTimeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ScrapeTimeout), $"the scrape took {clock.Elapsed}, longer than the {ScrapeTimeout}s scrape timeout");
        return text;
    }

    private static async Task<string> ScrapeUntilAsync(InProcessHost host, string series, double value, int attempts = 3)
    {
        string text = string.Empty;
        for (var i = 0; i < attempts; i++)
        {
            text = await TimedScrapeAsync(host);
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
