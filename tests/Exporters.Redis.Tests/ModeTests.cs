using System.Globalization;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

public sealed class ModeTests
{
    [Fact]
    public async Task A_cluster_node_without_slots_reports_a_failed_cluster_while_the_node_is_up()
    {
        await using var redis = await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
        await using var harness = Scrapes.Harness(redis.Address);
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.True(parsed.Value("redis_cluster_state") == 0, text);
        Assert.Equal(0, parsed.Value("redis_cluster_slots_assigned"));
        Assert.Equal(1, parsed.Value("redis_cluster_enabled"));

        await redis.CliAsync("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        await CompatibilityTests.WaitForAsync(async () => (await redis.CliAsync("CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal));
        (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_cluster_state"));
        Assert.Equal(16384, parsed.Value("redis_cluster_slots_ok"));
    }

    [Fact]
    public async Task A_stopped_cluster_node_is_reported_down_not_stale()
    {
        await using var redis = await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
        await using var harness = Scrapes.Harness(redis.Address);
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        await redis.DisposeAsync();
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(2));
        Assert.Equal(0, parsed.Value("redis_up"));
        Assert.Null(parsed.Value("redis_cluster_state"));
    }

    [Fact]
    public async Task Sentinel_reports_its_masters()
    {
        await using var master = await RedisServer.StartAsync();
        var port = Tools.FreePort();
        var directory = Tools.TempDirectory("sentinel");
        var config = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllTextAsync(config, $"port {port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {master.Port.ToString(CultureInfo.InvariantCulture)} 1\n");
        await using var sentinel = ExternalProcess.Start("redis-server", [config, "--sentinel"]);
        await sentinel.WaitForPortAsync(port);
        await using var harness = Scrapes.Harness($"redis://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_up") == 1, text + sentinel.Output);
        Assert.Equal(1, parsed.Value("redis_sentinel_masters"));
        var address = $"127.0.0.1:{master.Port.ToString(CultureInfo.InvariantCulture)}";
        Assert.Equal(1, parsed.Value("redis_sentinel_master_status", ("master_name", "mymaster"), ("master_address", address), ("master_status", "ok")));
        Assert.Equal(1, parsed.Value("redis_sentinel_master_setting_ckquorum", ("master_name", "mymaster")));
        Assert.Equal(0, parsed.Value("redis_exporter_last_scrape_error", ("err", "")));
    }

    [Fact]
    public async Task Client_connections_are_off_by_default_and_aggregated_when_on()
    {
        await using var redis = await RedisServer.StartAsync();
        await using (var off = Scrapes.Harness(redis.Address))
        {
            Assert.False((await Scrapes.ScrapeAsync(off)).Parsed.Families.ContainsKey("redis_client_connections"));
        }

        await using var harness = Scrapes.Harness(redis.Address, ("export_client_connections", "true"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_client_connections", ("client_name", "redis_exporter"), ("flags", "N")));
        Assert.False(parsed.Families.ContainsKey("redis_connected_client_info"));
    }
}
