using System.Globalization;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>
/// Every Sentinel family of redis_exporter 1.88, from Debian's redis-sentinel watching a local primary with a replica,
/// beside a second Sentinel.
/// </summary>
public sealed class SentinelTests
{
    private static async Task<(ExternalProcess Process, int Port)> StartSentinelAsync(int masterPort)
    {
        var port = Tools.FreePort();
        var directory = Tools.TempDirectory("sentinel");
        var config = Path.Combine(directory, "sentinel.conf");
        var master = masterPort.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(config, $"port {port.ToString(CultureInfo.InvariantCulture)}\nbind 127.0.0.1\ndir {directory}\n"
            + $"sentinel monitor mymaster 127.0.0.1 {master} 2\nsentinel down-after-milliseconds mymaster 4000\nsentinel failover-timeout mymaster 60000\nsentinel parallel-syncs mymaster 2\n");
        var process = ExternalProcess.Start("redis-sentinel", [config]);
        await process.WaitForPortAsync(port);
        return (process, port);
    }

    private static async Task<string> SentinelCliAsync(int port, params string[] arguments)
    {
        await using var process = ExternalProcess.Start("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), .. arguments]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        return process.Output;
    }

    [Fact]
    public async Task A_sentinel_reports_every_family_of_redis_exporter()
    {
        await using var master = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString(CultureInfo.InvariantCulture));
        var (first, firstPort) = await StartSentinelAsync(master.Port);
        await using var firstProcess = first;
        var (second, _) = await StartSentinelAsync(master.Port);
        await using var secondProcess = second;

        // Sentinels find each other through the primary's hello channel and replicas through its INFO.
        for (var attempt = 0; ; attempt++)
        {
            var sentinels = await SentinelCliAsync(firstPort, "SENTINEL", "SENTINELS", "mymaster");
            var replicas = await SentinelCliAsync(firstPort, "SENTINEL", "SLAVES", "mymaster");
            if (sentinels.Contains("runid", StringComparison.Ordinal) && replicas.Contains(replica.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                && !replicas.Contains("s_down", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(attempt < 300, "the sentinels did not see each other and the replica:\n" + sentinels + replicas);
            await Task.Delay(100);
        }

        await using var harness = Scrapes.Harness($"redis://127.0.0.1:{firstPort.ToString(CultureInfo.InvariantCulture)}", ("include_config_metrics", "true"), ("include_sentinel_peer_info", "true"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_up") == 1, text);
        var address = $"127.0.0.1:{master.Port.ToString(CultureInfo.InvariantCulture)}";
        var labels = new[] { ("master_name", "mymaster"), ("master_address", address) };
        Assert.Equal(1, parsed.Value("redis_sentinel_masters"));
        Assert.Equal(1, parsed.Value("redis_sentinel_master_status", ("master_name", "mymaster"), ("master_address", address), ("master_status", "ok")));
        Assert.Equal(1, parsed.Value("redis_sentinel_master_slaves", labels));
        Assert.Equal(2, parsed.Value("redis_sentinel_master_sentinels", labels));
        Assert.Equal(2, parsed.Value("redis_sentinel_master_setting_ckquorum", labels));
        Assert.Equal(60000, parsed.Value("redis_sentinel_master_setting_failover_timeout", labels));
        Assert.Equal(2, parsed.Value("redis_sentinel_master_setting_parallel_syncs", labels));
        Assert.Equal(4000, parsed.Value("redis_sentinel_master_setting_down_after_milliseconds", labels));
        Assert.Equal(0, parsed.Value("redis_sentinel_master_config_epoch", labels));
        Assert.InRange(parsed.Value("redis_sentinel_master_last_ok_ping_reply_seconds", labels)!.Value, 0, 5);
        Assert.Equal(2, parsed.Value("redis_sentinel_master_ok_sentinels", labels));
        Assert.Equal(1, parsed.Value("redis_sentinel_master_ok_slaves", labels));
        var status = Assert.Single(parsed.Families["redis_sentinel_master_ckquorum_status"].Samples);
        Assert.Equal(1, status.Value);
        Assert.StartsWith("OK 2 usable Sentinels", status.Labels["message"], StringComparison.Ordinal);
        var peer = Assert.Single(parsed.Families["redis_sentinel_peer_info"].Samples);
        Assert.Equal(["flags", "ip", "master_address", "master_name", "name", "port", "runid"], parsed.Families["redis_sentinel_peer_info"].LabelNames);
        Assert.Equal("127.0.0.1", peer.Labels["ip"]);
        Assert.NotEmpty(parsed.Families["redis_sentinel_config_key_value"].Samples);
        Assert.Equal("gauge", parsed.Families["redis_sentinel_config_key_value"].Type);
        Assert.False(parsed.Families.ContainsKey("redis_sentinel_master_setting_quorum"));
        Assert.Equal(0, parsed.Value("redis_exporter_last_scrape_error", ("err", "")));

        // Without the opt-in flags, neither peers nor Sentinel's settings appear.
        await using var plain = Scrapes.Harness($"redis://127.0.0.1:{firstPort.ToString(CultureInfo.InvariantCulture)}");
        var (lean, _, _) = await Scrapes.ScrapeAsync(plain);
        Assert.False(lean.Families.ContainsKey("redis_sentinel_peer_info"));
        Assert.False(lean.Families.ContainsKey("redis_sentinel_config_key_value"));
        Assert.Equal(2, lean.Value("redis_sentinel_master_ok_sentinels", labels));
    }

    [Fact]
    public async Task A_quorum_that_cannot_be_reached_is_reported_with_the_sentinels_message()
    {
        await using var master = await RedisServer.StartAsync();
        var (sentinel, port) = await StartSentinelAsync(master.Port);
        await using var process = sentinel;
        await using var harness = Scrapes.Harness($"redis://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        var status = Assert.Single(parsed.Families["redis_sentinel_master_ckquorum_status"].Samples);
        Assert.True(status.Value == 0, text);
        Assert.Contains("NOQUORUM", status.Labels["message"], StringComparison.Ordinal);
        Assert.Equal(1, parsed.Value("redis_up"));
    }
}
