using Exporters.Testing;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>A renamed namespace renames the up metric everywhere: the collector and the host write the same one.</summary>
public sealed class NamespaceTests
{
    [Fact]
    public async Task With_redis_down_a_namespaced_instance_reports_only_its_own_up_metric()
    {
        await using var host = await InProcessHost.StartAsync($$"""
            collectors:
              redis:
                address: redis://127.0.0.1:{{Tools.FreePort()}}
                namespace: cache
                timeout: 2s
            """);
        var text = await host.ScrapeAsync();

        Assert.Equal(0, MetricText.Require(text, "cache_up"));
        Assert.DoesNotContain("redis_up", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_scrape_itself_fails_the_host_writes_the_namespaced_up_metric()
    {
        // A deadline shorter than anything the collector can do: the host, not the collector, writes the up metric.
        await using var redis = await RedisServer.StartAsync();
        await using var host = await InProcessHost.StartAsync($$"""
            collectors:
              redis:
                address: {{redis.Address}}
                namespace: cache
                timeout: 1ms
            """);
        var text = await host.ScrapeAsync();

        Assert.Equal(0, MetricText.Require(text, "exporter_collector_success{collector=\"redis\"}"));
        Assert.Equal(0, MetricText.Require(text, "cache_up"));
        Assert.DoesNotContain("redis_up", text, StringComparison.Ordinal);
    }
}
