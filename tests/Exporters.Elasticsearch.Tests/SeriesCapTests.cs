namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Sub-collectors write to staging writers that are moved into the scrape's writer; the collector's
/// <c>max_series</c> still holds across them.
/// </summary>
public sealed class SeriesCapTests
{
    [Fact]
    public async Task Max_series_caps_the_whole_scrape_and_counts_what_it_dropped()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (all, full, fullHarness) = await TestSupport.ScrapeAsync(TestSupport.AllOn(server.Uri));
        await using var _ = fullHarness;
        Assert.Equal(0, full.DroppedSeries);

        var capped = TestSupport.AllOn(server.Uri);
        capped["max_series"] = "150";
        var (text, writer, harness) = await TestSupport.ScrapeAsync(capped);
        await using var __ = harness;

        Assert.Equal(150, writer.Batch.SeriesCount);
        Assert.Equal(full.Batch.SeriesCount - 150, writer.DroppedSeries);
        Assert.Equal(writer.Batch.SeriesCount, text.Split('\n').Count(l => l.Length > 0 && l[0] != '#'));
        Assert.NotEqual(all, text);
    }
}
