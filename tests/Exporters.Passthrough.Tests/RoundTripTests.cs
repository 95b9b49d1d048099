using Exporters.Abstractions.Metrics;
using Exporters.Exposition;

namespace Exporters.Passthrough.Tests;

public class RoundTripTests
{
    private static MetricWriter Sample()
    {
        var w = new MetricWriter();
        w.Write(new GaugeDefinition("app_up", "Up \"x\"\nline \\ end"), 1);
        var requests = new CounterDefinition("app_requests_total", "Requests.", ["code", "path"]);
        w.Write(requests, 3, "200", "/");
        w.Write(requests, 4, "5\"00\n", "C:\\x");
        w.Write(requests, 0, string.Empty, "ünïcødé ✓");
        w.Write(new CounterDefinition("app_sent_bytes_total", "Bytes.", null, "bytes"), 1e21);
        w.Write(new InfoDefinition("app_build_info", "Build.", ["version", "revision"]), "1.0", "abc");
        var state = new StateSetDefinition("app_state", "State.", ["shard"]);
        w.WriteStates(state, ["ok", "degraded", "failed"], "degraded", "s1");
        var latency = new HistogramDefinition("app_latency_seconds", "Latency.", ["cmd"], "seconds");
        w.Write(latency, [new(0.005, 0), new(0.1, 1), new(1, 3)], 2.5, 4, "get");
        w.Write(latency, [new(0.005, 1), new(0.1, 1), new(1, 1)], 0.001, 1, "set");
        w.Write(new SummaryDefinition("app_gc_seconds", "GC.", null, "seconds"), [new(0, 0.1), new(0.5, 1), new(0.99, double.NaN), new(1, 7)], 10, 3);
        var temperature = new GaugeDefinition("app_temperature_celsius", "Temp.", ["sensor"], "celsius");
        w.Write(temperature, -273.15, "a");
        w.Write(temperature, double.PositiveInfinity, "b");
        w.Write(temperature, double.NegativeInfinity, "c");
        w.Write(temperature, double.NaN, "d");
        w.Write(temperature, 1.0000000000000002, "e");
        w.Write(temperature, 5e-324, "f");
        w.Write(new GaugeDefinition("app_empty_help", string.Empty), 0);
        return w;
    }

    [Theory]
    [InlineData(ExpositionFormat.Text)]
    [InlineData(ExpositionFormat.OpenMetrics)]
    public void Rendered_output_parsed_back_renders_identically(ExpositionFormat format)
    {
        var original = Reemit.Render(Sample().Batch, format);
        var (writer, summary, _) = Reemit.Run(original, format == ExpositionFormat.Text ? ExpositionSyntax.Text : ExpositionSyntax.OpenMetrics);
        Assert.Equal(0, summary.MalformedLines);
        Assert.Equal(0, writer.RejectedSamples);
        Assert.Equal(original, Reemit.Render(writer.Batch, format));
    }

    [Fact]
    public void OpenMetrics_round_trip_keeps_types_units_labels_and_payloads()
    {
        var input = Sample().Batch;
        var (writer, _, _) = Reemit.Run(Reemit.Render(input, ExpositionFormat.OpenMetrics), ExpositionSyntax.OpenMetrics);
        var output = writer.Batch;
        Assert.Equal(input.Families.Count, output.Families.Count);
        Assert.Equal(input.SeriesCount, output.SeriesCount);
        for (var f = 0; f < input.Families.Count; f++)
        {
            var a = input.Families[f];
            var b = output.Families[f];
            Assert.Equal(a.Definition.GetType(), b.Definition.GetType());
            Assert.Equal(a.Definition.Name, b.Definition.Name);
            Assert.Equal(a.Definition.Help, b.Definition.Help);
            Assert.Equal(a.Definition.Unit, b.Definition.Unit);
            Assert.Equal(a.Definition.LabelNames, b.Definition.LabelNames);
            Assert.Equal(a.SeriesCount, b.SeriesCount);
            for (var s = 0; s < a.SeriesCount; s++)
            {
                Assert.Equal(a.GetLabelValues(s).ToArray(), b.GetLabelValues(s).ToArray());
                Assert.Equal(a.GetPayload(s).ToArray(), b.GetPayload(s).ToArray());
            }
        }
    }

    [Fact]
    public void Text_round_trip_keeps_counters_histograms_and_summaries_typed()
    {
        var (writer, _, _) = Reemit.Run(Reemit.Render(Sample().Batch, ExpositionFormat.Text), ExpositionSyntax.Text);
        var types = writer.Batch.Families.ToDictionary(f => f.Definition.Name, f => f.Definition.Type);
        Assert.Equal(MetricType.Counter, types["app_requests_total"]);
        Assert.Equal(MetricType.Histogram, types["app_latency_seconds"]);
        Assert.Equal(MetricType.Summary, types["app_gc_seconds"]);

        // The text format has no info or state set types: they come back as the gauges they were rendered as.
        Assert.Equal(MetricType.Gauge, types["app_build_info"]);
        Assert.Equal(MetricType.Gauge, types["app_state"]);
    }

    [Fact]
    public void Prefix_filters_and_series_limit_apply()
    {
        var text = Reemit.Render(Sample().Batch, ExpositionFormat.Text);
        var settings = new PassthroughSettings
        {
            Prefix = "up_",
            AllowFamilies = ["app_.*"],
            DenyFamilies = ["app_temperature_.*", "app_build_info"],
            SeriesLimit = 5,
        };
        var (writer, _, scraper) = Reemit.Run(text, ExpositionSyntax.Text, settings);
        Assert.Equal(["up_app_up", "up_app_requests_total", "up_app_sent_bytes_total"], writer.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(5, writer.Batch.SeriesCount);
        Assert.Equal(5, scraper.Emitter.SeriesWritten);

        // app_state (3) + latency (2) + gc (1) + empty_help (1) were over the limit; temperature and build_info were denied.
        Assert.Equal(7, scraper.Emitter.SeriesDropped);
        Assert.Equal(2, scraper.Emitter.FamiliesFiltered);

        scraper.WriteSelfMetrics(writer, up: true);
        var rendered = Reemit.Render(writer.Batch, ExpositionFormat.Text);
        Assert.Contains("test_series_dropped_total 7\n", rendered, StringComparison.Ordinal);
        Assert.Contains("test_series 5\n", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Families_whose_name_is_reserved_are_skipped_and_counted()
    {
        var scraper = new PassthroughScraper(new PassthroughSettings(), "test_", new HttpClient());
        var writer = new MetricWriter();
        scraper.Emit("test_up 5\nother 1\n"u8, ExpositionSyntax.Text, writer, null, scraper.SelfMetricNames);
        scraper.WriteSelfMetrics(writer, up: true);
        var text = Reemit.Render(writer.Batch, ExpositionFormat.Text);
        Assert.Contains("test_up 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_up 5", text, StringComparison.Ordinal);
        Assert.Contains("other 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_families_skipped_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_series_are_counted_as_malformed_and_not_passed_on()
    {
        const string document = """
            # TYPE h histogram
            h_bucket{le="1"} 5
            h_bucket{le="2"} 3
            h_bucket{le="+Inf"} 5
            h_count 5
            h_sum 1
            # TYPE c counter
            c -1
            # TYPE ok gauge
            ok 1

            """;
        var (writer, _, scraper) = Reemit.Run(document, ExpositionSyntax.Text);
        Assert.Equal(["ok"], writer.Batch.Families.Where(f => f.SeriesCount > 0).Select(f => f.Definition.Name));
        Assert.Equal(2, scraper.Emitter.Malformed);
        scraper.WriteSelfMetrics(writer, up: true);
        Assert.Contains("test_malformed_lines_total 2\n", Reemit.Render(writer.Batch, ExpositionFormat.Text), StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_missing_from_some_series_are_written_empty()
    {
        var (writer, _, _) = Reemit.Run("m{a=\"1\"} 1\nm{b=\"2\"} 2\n", ExpositionSyntax.Text);
        Assert.Equal("# HELP m \n# TYPE m gauge\nm{a=\"1\",b=\"\"} 1\nm{a=\"\",b=\"2\"} 2\n", Reemit.Render(writer.Batch, ExpositionFormat.Text));
    }

    [Fact]
    public void Definitions_are_reused_between_scrapes_of_a_steady_target()
    {
        var text = Reemit.Render(Sample().Batch, ExpositionFormat.OpenMetrics);
        var scraper = new PassthroughScraper(new PassthroughSettings(), "test_", new HttpClient());
        var first = new MetricWriter();
        scraper.Emit(System.Text.Encoding.UTF8.GetBytes(text), ExpositionSyntax.OpenMetrics, first, null, null);
        var second = new MetricWriter();
        scraper.Emit(System.Text.Encoding.UTF8.GetBytes(text), ExpositionSyntax.OpenMetrics, second, null, null);
        Assert.Equal(first.Batch.Families.Select(f => f.Definition), second.Batch.Families.Select(f => f.Definition));
    }
}
