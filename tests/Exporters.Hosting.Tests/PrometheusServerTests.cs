using System.Globalization;
using System.Text.Json;
using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

/// <summary>A real Prometheus server (Debian's 2.42) scrapes the host, once negotiating OpenMetrics and once the text format.</summary>
public class PrometheusServerTests
{
    [Fact]
    public async Task Prometheus_scrapes_both_formats_with_up_1_and_stores_the_same_series()
    {
        await using var host = await RunningHost.StartAsync("""
            collectors:
              sample:
                series: 3
            """);
        var directory = Tools.TempDirectory("prometheus");
        var port = Tools.FreePort();
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: openmetrics
                static_configs: [{targets: ["127.0.0.1:{{host.Port}}"]}]
              - job_name: text
                params: {format: [text]}
                static_configs: [{targets: ["127.0.0.1:{{host.Port}}"]}]
            """);
        await using var prometheus = ExternalProcess.Start("prometheus", [
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]);
        await prometheus.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var up = await WaitForAsync(api, "up", results => results.Count == 2 && results.All(r => r.Value == 1), prometheus);
        Assert.Equal(["openmetrics", "text"], up.Select(r => r.Labels["job"]).Order());

        var events = await WaitForAsync(api, "sample_events_total", results => results.Count == 2, prometheus);
        Assert.All(events, r => Assert.True(r.Value >= 1));
        foreach (var query in new[] { "sample_build_info", "sample_mode{sample_mode=\"primary\"}", "sample_latency_seconds_bucket{le=\"+Inf\"}", "sample_size_bytes{quantile=\"0.99\"}", "exporter_collector_success{collector=\"sample\"}", "exporter_build_info", "process_resident_memory_bytes" })
        {
            var results = await QueryAsync(api, query);
            Assert.True(results.Count == 2, $"{query}: expected one series per job, got {results.Count}");
        }

        var namesByJob = new Dictionary<string, string[]>();
        foreach (var job in new[] { "openmetrics", "text" })
        {
            var names = await QueryAsync(api, $"count by (__name__) ({{job=\"{job}\"}})");
            namesByJob[job] = [.. names.Select(r => r.Labels["__name__"]).Order(StringComparer.Ordinal)];
        }

        Assert.Equal(namesByJob["text"], namesByJob["openmetrics"]);

        // Prometheus keeps OpenMetrics types only when it negotiated OpenMetrics: proof that both formats were read.
        using var metadata = JsonDocument.Parse(await api.GetStringAsync("/api/v1/metadata"));
        var types = metadata.RootElement.GetProperty("data").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(m => m.GetProperty("type").GetString()).ToHashSet());
        Assert.Contains("info", types["sample_build"]);
        Assert.Contains("stateset", types["sample_mode"]);
        Assert.Contains("gauge", types["sample_build_info"]);
    }

    private static async Task<List<(Dictionary<string, string> Labels, double Value)>> WaitForAsync(HttpClient api, string query, Func<List<(Dictionary<string, string> Labels, double Value)>, bool> done, ExternalProcess prometheus)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<(Dictionary<string, string>, double)> results = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                results = await QueryAsync(api, query);
            }
            catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // Prometheus listens before its storage is open, and answers 503 until then.
                await Task.Delay(250);
                continue;
            }

            if (done(results))
            {
                return results;
            }

            await Task.Delay(250);
        }

        var targets = await api.GetStringAsync("/api/v1/targets");
        throw new Xunit.Sdk.XunitException($"query {query} never satisfied; last {results.Count} results. Targets: {targets}\nPrometheus output:\n{prometheus.Output}");
    }

    private static async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(HttpClient api, string query)
    {
        using var document = JsonDocument.Parse(await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
        return [.. document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }
}
