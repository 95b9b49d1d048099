using Exporters.Abstractions.Metrics;
using Exporters.Testing;

namespace Exporters.Redis.Tests;

internal static class Scrapes
{
    public static CollectorHarness Harness(string address, params (string Key, string? Value)[] settings)
    {
        var dictionary = new Dictionary<string, string?> { ["address"] = address };
        foreach (var (key, value) in settings)
        {
            dictionary[key] = value;
        }

        return CollectorHarness.Create(new RedisCollectorDefinition(), dictionary);
    }

    public static async Task<(Exposition Parsed, string Text, MetricWriter Writer)> ScrapeAsync(CollectorHarness harness, TimeSpan? timeout = null, string? target = null)
    {
        var writer = await harness.ScrapeAsync(timeout, target);
        var text = CollectorHarness.Render(writer.Batch);
        Assert.Equal(0, writer.RejectedSamples);
        return (Exposition.Parse(text), text, writer);
    }
}
