using Exporters.TestSupport;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

/// <summary>elasticsearch_exporter's command line, parsed by the real host, where this collector is built in.</summary>
public sealed class HostCommandLineTests
{
    private static async Task<string> ScrapeHostAsync(string[] flags, Dictionary<string, string?> environment)
    {
        var port = Tools.FreePort();
        var app = StockExporter.Build([$"--web.listen-address=127.0.0.1:{port}", .. flags], environment);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            return await client.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Drop_in_flags_and_environment_variables_configure_the_collector()
    {
        string? authorization = null;
        var overrides = new Dictionary<string, RequestDelegate>
        {
            ["/_cluster/health"] = async context =>
            {
                authorization = context.Request.Headers.Authorization.ToString();
                await EsFixtureServer.Body(await File.ReadAllTextAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "clusterhealth", "7.13.1.json")))(context);
            },
        };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var text = await ScrapeHostAsync(
            [$"--es.uri={server.Uri}", "--es.all", "--es.indices", "--es.aliases", "--collector.slm", "--no-collector.cluster-info", "--es.timeout=3s"],
            new() { ["ES_USERNAME"] = "monitor", ["ES_PASSWORD"] = "p@ss:word" });

        Assert.Contains("elasticsearch_up 1", text, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_scrape_success{collector=\"indices\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_scrape_success{collector=\"aliases\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_scrape_success{collector=\"slm\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("collector=\"cluster-info\"", text, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.StartsWith("/_nodes/stats", StringComparison.Ordinal));
        Assert.Equal("Basic " + Convert.ToBase64String("monitor:p@ss:word"u8.ToArray()), authorization);
    }
}
