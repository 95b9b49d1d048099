using System.Diagnostics;
using Exporters.Testing;

namespace Exporters.Hosting.Tests;

[Collection(TimingCollection.Name)]
public class ScrapeEngineTests
{
    [Fact]
    public async Task Metrics_merges_collector_output_with_meta_process_and_runtime_metrics()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                series: 2
            """);
        var text = await host.GetStringAsync("/metrics");

        Assert.Equal(1, MetricText.Require(text, "sample_up"));
        Assert.Equal(1, MetricText.Require(text, "sample_value{index=\"1\"}"));
        Assert.Equal(1, MetricText.Require(text, "exporter_collector_success{collector=\"sample\"}"));
        Assert.InRange(MetricText.Require(text, "exporter_collector_duration_seconds{collector=\"sample\"}"), 0, 5);
        Assert.Contains("exporter_build_info{version=\"", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_version=\"10.", text, StringComparison.Ordinal);
        foreach (var family in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds", "dotnet_gc_heap_size_bytes", "dotnet_gc_collections_total", "dotnet_threadpool_threads", "dotnet_threadpool_queue_length", "dotnet_exceptions_total" })
        {
            Assert.Contains($"# TYPE {family} ", text, StringComparison.Ordinal);
        }

        Assert.True(MetricText.Require(text, "process_resident_memory_bytes") > 1_000_000);
    }

    [Fact]
    public async Task Collector_that_hangs_past_the_scrape_timeout_is_cut_off_and_the_others_are_intact()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              fast:
                type: sample
              stuck:
                type: sample
                delay: 1m
                ignore_deadline: true
            """);

        // Warm up (JIT, connection) the way any scrape after the first is warm.
        await host.GetStringAsync("/metrics/fast");
        var clock = Stopwatch.StartNew();
        var text = await host.GetStringAsync("/metrics", scrapeTimeout: "2");
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the response took {clock.Elapsed}, longer than Prometheus' 2s scrape timeout");
        Assert.Equal(0, MetricText.Require(text, "exporter_collector_success{collector=\"stuck\"}"));
        Assert.Equal(0, MetricText.Require(text, "sample_up{collector_instance=\"stuck\"}"));
        Assert.Equal(1, MetricText.Require(text, "exporter_collector_success{collector=\"fast\"}"));
        Assert.Equal(1, MetricText.Require(text, "sample_up{collector_instance=\"fast\"}"));
        Assert.Equal(2, MetricText.Require(text, "sample_value{index=\"2\",collector_instance=\"fast\"}"));
        Assert.DoesNotContain("collector_instance=\"stuck\"}", text.Split('\n').Where(l => l.StartsWith("sample_value", StringComparison.Ordinal)).FirstOrDefault(l => l.Contains("stuck", StringComparison.Ordinal)) ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_is_the_configured_timeout_when_it_is_shorter_than_the_scrape_timeout()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                timeout: 300ms
                delay: 1m
            """);

        var clock = Stopwatch.StartNew();
        var text = await host.GetStringAsync("/metrics", scrapeTimeout: "30");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(0, MetricText.Require(text, "exporter_collector_success{collector=\"sample\"}"));
        Assert.InRange(MetricText.Require(text, "exporter_collector_duration_seconds{collector=\"sample\"}"), 0.25, 2);
    }

    [Fact]
    public async Task Failing_collector_contributes_nothing_but_its_up_metric_at_zero()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              ok:
                type: sample
              broken:
                type: sample
                fail: true
            """);
        var text = await host.GetStringAsync("/metrics");

        Assert.Equal(0, MetricText.Require(text, "exporter_collector_success{collector=\"broken\"}"));
        Assert.Equal(0, MetricText.Require(text, "sample_up{collector_instance=\"broken\"}"));
        Assert.Equal(1, MetricText.Require(text, "exporter_collector_scrape_errors_total{collector=\"broken\"}"));
        Assert.Null(MetricText.Value(text, "sample_value{index=\"0\",collector_instance=\"broken\"}"));
        Assert.Equal(1, MetricText.Require(text, "sample_value{index=\"1\",collector_instance=\"ok\"}"));
    }

    [Fact]
    public async Task Concurrent_scrapes_share_one_fetch_of_the_target()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                delay: 700ms
            """);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => host.GetStringAsync("/metrics/sample")));
        Assert.All(responses, text => Assert.Equal(1, MetricText.Require(text, "sample_up")));

        var after = await host.GetStringAsync("/metrics/sample");
        // Six concurrent requests made one fetch; the request after them made the second.
        Assert.Equal(2, MetricText.Require(after, "exporter_collector_scrapes_total{collector=\"sample\"}"));
        Assert.Equal(2, MetricText.Require(after, "sample_events_total"));
    }

    [Fact]
    public async Task Min_interval_answers_from_the_last_result_and_says_so_in_help()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                min_interval: 1h
            """);

        var first = await host.GetStringAsync("/metrics");
        var second = await host.GetStringAsync("/metrics");

        Assert.Equal(0, MetricText.Require(first, "exporter_collector_cached{collector=\"sample\"}"));
        Assert.Equal(1, MetricText.Require(second, "exporter_collector_cached{collector=\"sample\"}"));
        Assert.Equal(1, MetricText.Require(second, "exporter_collector_scrapes_total{collector=\"sample\"}"));
        Assert.Contains("# HELP sample_value A value per series index. (may be cached: sample is scraped at most every 1h)", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caching_is_off_by_default()
    {
        await using var host = await RunningHost.StartAsync("collectors: {sample: {}}");
        await host.GetStringAsync("/metrics");
        var second = await host.GetStringAsync("/metrics");

        Assert.Equal(2, MetricText.Require(second, "exporter_collector_scrapes_total{collector=\"sample\"}"));
        Assert.DoesNotContain("may be cached", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_collector_endpoint_serves_that_collector_alone()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              one:
                type: sample
              two:
                type: sample
                series: 1
            """);

        var text = await host.GetStringAsync("/metrics/two");
        Assert.Equal(1, MetricText.Require(text, "sample_up{collector_instance=\"two\"}"));
        Assert.DoesNotContain("collector_instance=\"one\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("process_cpu_seconds_total", text, StringComparison.Ordinal);

        using var missing = await host.SendAsync("/metrics/three");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Constant_labels_are_added_to_every_series_of_the_instance()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                series: 1
                labels:
                  shard: "a\"b"
            """);
        var text = await host.GetStringAsync("/metrics");
        Assert.Equal(0, MetricText.Require(text, "sample_value{index=\"0\",shard=\"a\\\"b\"}"));
        Assert.Equal(1, MetricText.Require(text, "sample_up{shard=\"a\\\"b\"}"));
    }

    [Fact]
    public async Task Series_cap_drops_the_excess_and_counts_it()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                series: 50
                max_series: 10
            """);
        var text = await host.GetStringAsync("/metrics");

        Assert.Equal(10, text.Split('\n').Count(l => l.StartsWith("sample_up", StringComparison.Ordinal) || l.StartsWith("sample_value{", StringComparison.Ordinal)));
        Assert.True(MetricText.Require(text, "exporter_collector_series_dropped_total{collector=\"sample\"}") >= 40);
    }

    [Fact]
    public async Task Health_and_readiness_do_not_depend_on_the_target()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                fail: true
            """);
        Assert.Equal("ok\n", await host.GetStringAsync("/healthz"));
        Assert.Equal("ready\n", await host.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task Host_without_any_configuration_serves_its_own_metrics()
    {
        await using var host = await RunningHost.StartAsync(null);
        var text = await host.GetStringAsync("/metrics");
        Assert.Equal(1, MetricText.Require(text, "exporter_config_last_reload_successful"));
        Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
    }
}
