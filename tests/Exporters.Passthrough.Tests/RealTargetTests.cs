using Exporters.Exposition;
using Exporters.TestSupport;

namespace Exporters.Passthrough.Tests;

/// <summary>Real Alertmanager and Prometheus servers expose their own metrics; both must parse without a single error.</summary>
public class RealTargetTests
{
    [Fact]
    public async Task Alertmanager_own_metrics_parse_without_errors()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await alertmanager.PostAlertAsync(TimeSpan.FromMinutes(1), ("alertname", "A"), ("severity", "warning"));
        var text = await alertmanager.GetAsync("/metrics");
        var sink = RecordingSink.Parse(text, ExpositionSyntax.Text);
        Assert.Empty(sink.Malformed);
        Assert.Contains(sink.Families, f => f.Name == "alertmanager_alerts" && f.Type == ParsedType.Gauge);
        Assert.Contains(sink.Families, f => f.Type == ParsedType.Histogram);
        Assert.Contains(sink.Families, f => f.Type == ParsedType.Summary);

        var (writer, summary, scraper) = Reemit.Run(text, ExpositionSyntax.Text, new PassthroughSettings { ProcessMetrics = true });
        Assert.Equal(0, scraper.Emitter.Malformed);
        Assert.Equal(0, writer.RejectedSamples);
        Assert.Equal(summary.Families, writer.Batch.Families.Count);
        var (_, output) = await Promtool.CheckMetricsAsync(Reemit.Render(writer.Batch, ExpositionFormat.Text));
        Assert.DoesNotContain("error while linting", output, StringComparison.Ordinal);
    }

    /// <remarks>Debian's Prometheus (2.42) serves only the text format on /metrics; OpenMetrics is covered by the round-trip tests.</remarks>
    [Fact]
    public async Task Prometheus_own_metrics_parse_without_errors()
    {
        const string accept = "text/plain;version=0.0.4";
        const ExpositionSyntax syntax = ExpositionSyntax.Text;
        var directory = Tools.TempDirectory("prometheus");
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1m\n");
        var port = Tools.FreePort();
        await using var prometheus = ExternalProcess.Start("prometheus",
        [
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]);
        await prometheus.WaitForPortAsync(port, TimeSpan.FromSeconds(30));

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/metrics"));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();

        var sink = new RecordingSink();
        var summary = new ExpositionParser().Parse(body, syntax, sink);
        Assert.Empty(sink.Malformed);
        Assert.True(summary.Families > 100, $"only {summary.Families} families");

        var scraper = new PassthroughScraper(new PassthroughSettings { ProcessMetrics = true }, "test_", client);
        var writer = new Exporters.Abstractions.Metrics.MetricWriter();
        scraper.Emit(body, syntax, writer, null, null);
        Assert.Equal(0, scraper.Emitter.Malformed);
        Assert.Equal(0, writer.RejectedSamples);
        Assert.Equal(0, scraper.Emitter.FamiliesSkipped);
        Assert.Equal(summary.Families, writer.Batch.Families.Count);
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>Once warm, the parser allocates nothing per document of a steady target (names and values are interned).</summary>
public class AllocationTests
{
    private sealed class NullSink : IFamilySink
    {
        public int Samples;

        public void OnFamily(ParsedFamily family) => Samples += family.Samples.Count;

        public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line) => throw new InvalidOperationException(reason);
    }

    [Fact]
    public async Task Warm_parser_allocates_almost_nothing_per_document()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        var document = System.Text.Encoding.UTF8.GetBytes(await alertmanager.GetAsync("/metrics"));
        var parser = new ExpositionParser();
        var sink = new NullSink();
        parser.Parse(document, ExpositionSyntax.Text, sink);
        parser.Parse(document, ExpositionSyntax.Text, sink);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var summary = parser.Parse(document, ExpositionSyntax.Text, sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(summary.Samples > 200, $"only {summary.Samples} samples");
        Assert.True(allocated < 1024, $"parsing {document.Length} bytes allocated {allocated} bytes");
    }
}
