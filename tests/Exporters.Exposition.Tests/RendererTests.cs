using System.Buffers;
using System.Text;
using Exporters.Abstractions.Metrics;

namespace Exporters.Exposition.Tests;

public class RendererTests
{
    private static string Render(MetricWriter writer, ExpositionFormat format, IReadOnlyList<KeyValuePair<string, string>>? extra = null, string? helpSuffix = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ExpositionDocument.Create([new ExpositionSource(writer.Batch, extra, helpSuffix)]).WriteTo(buffer, format);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static MetricWriter EveryType()
    {
        var w = new MetricWriter();
        w.Write(new GaugeDefinition("t_up", "Up \"quoted\"\nsecond \\ line"), 1);
        var counter = new CounterDefinition("t_requests_total", "Requests.", ["code"]);
        w.Write(counter, 3, "200");
        w.Write(counter, 4, "a\"b\\c\nd");
        w.Write(new CounterDefinition("t_raw", "Raw counter without _total."), 5);
        w.Write(new InfoDefinition("t_build_info", "Build.", ["version"]), "1.0");
        w.WriteStates(new StateSetDefinition("t_state", "State."), ["ok", "fail"], "ok");
        w.Write(new HistogramDefinition("t_latency_seconds", "Latency.", ["op"], "seconds"), [new(0.1, 1), new(1, 3)], 2.5, 4, "get");
        w.Write(new SummaryDefinition("t_size_bytes", "Size.", unit: "bytes"), [new(0.5, 1), new(0.99, double.NaN)], 10, 3);
        return w;
    }

    [Fact]
    public void Text_format_is_exactly_as_prometheus_writes_it()
    {
        var writer = new MetricWriter();
        var special = new GaugeDefinition("t_special", "Special values.", ["v"]);
        writer.Write(special, double.PositiveInfinity, "pinf");
        writer.Write(special, double.NegativeInfinity, "minf");
        writer.Write(special, double.NaN, "nan");
        writer.Write(special, 1e21, "big");
        writer.Write(special, 1.5e-7, "small");
        writer.Write(special, -0.25, "negative");
        writer.Write(special, 42, "integer");

        Assert.Equal("""
            # HELP t_special Special values.
            # TYPE t_special gauge
            t_special{v="pinf"} +Inf
            t_special{v="minf"} -Inf
            t_special{v="nan"} NaN
            t_special{v="big"} 1E+21
            t_special{v="small"} 1.5E-07
            t_special{v="negative"} -0.25
            t_special{v="integer"} 42

            """.Replace("\r", string.Empty, StringComparison.Ordinal), Render(writer, ExpositionFormat.Text));
    }

    [Fact]
    public void Text_format_golden_with_every_type_and_escaping()
    {
        var text = Render(EveryType(), ExpositionFormat.Text, [new("pod", "p-1")]);
        Assert.Equal("""
            # HELP t_up Up "quoted"\nsecond \\ line
            # TYPE t_up gauge
            t_up{pod="p-1"} 1
            # HELP t_requests_total Requests.
            # TYPE t_requests_total counter
            t_requests_total{code="200",pod="p-1"} 3
            t_requests_total{code="a\"b\\c\nd",pod="p-1"} 4
            # HELP t_raw Raw counter without _total.
            # TYPE t_raw counter
            t_raw{pod="p-1"} 5
            # HELP t_build_info Build.
            # TYPE t_build_info gauge
            t_build_info{version="1.0",pod="p-1"} 1
            # HELP t_state State.
            # TYPE t_state gauge
            t_state{t_state="ok",pod="p-1"} 1
            t_state{t_state="fail",pod="p-1"} 0
            # HELP t_latency_seconds Latency.
            # TYPE t_latency_seconds histogram
            t_latency_seconds_bucket{op="get",pod="p-1",le="0.1"} 1
            t_latency_seconds_bucket{op="get",pod="p-1",le="1"} 3
            t_latency_seconds_bucket{op="get",pod="p-1",le="+Inf"} 4
            t_latency_seconds_sum{op="get",pod="p-1"} 2.5
            t_latency_seconds_count{op="get",pod="p-1"} 4
            # HELP t_size_bytes Size.
            # TYPE t_size_bytes summary
            t_size_bytes{pod="p-1",quantile="0.5"} 1
            t_size_bytes{pod="p-1",quantile="0.99"} NaN
            t_size_bytes_sum{pod="p-1"} 10
            t_size_bytes_count{pod="p-1"} 3

            """.Replace("\r", string.Empty, StringComparison.Ordinal), text);
    }

    [Fact]
    public void OpenMetrics_golden_with_every_type_and_escaping()
    {
        var text = Render(EveryType(), ExpositionFormat.OpenMetrics, helpSuffix: " (cached)");
        Assert.Equal("""
            # HELP t_up Up \"quoted\"\nsecond \\ line (cached)
            # TYPE t_up gauge
            t_up 1
            # HELP t_requests Requests. (cached)
            # TYPE t_requests counter
            t_requests_total{code="200"} 3
            t_requests_total{code="a\"b\\c\nd"} 4
            # HELP t_raw Raw counter without _total. (cached)
            # TYPE t_raw unknown
            t_raw 5
            # HELP t_build Build. (cached)
            # TYPE t_build info
            t_build_info{version="1.0"} 1
            # HELP t_state State. (cached)
            # TYPE t_state stateset
            t_state{t_state="ok"} 1
            t_state{t_state="fail"} 0
            # HELP t_latency_seconds Latency. (cached)
            # TYPE t_latency_seconds histogram
            # UNIT t_latency_seconds seconds
            t_latency_seconds_bucket{op="get",le="0.1"} 1
            t_latency_seconds_bucket{op="get",le="1.0"} 3
            t_latency_seconds_bucket{op="get",le="+Inf"} 4
            t_latency_seconds_sum{op="get"} 2.5
            t_latency_seconds_count{op="get"} 4
            # HELP t_size_bytes Size. (cached)
            # TYPE t_size_bytes summary
            # UNIT t_size_bytes bytes
            t_size_bytes{quantile="0.5"} 1
            t_size_bytes{quantile="0.99"} NaN
            t_size_bytes_sum 10
            t_size_bytes_count 3
            # EOF

            """.Replace("\r", string.Empty, StringComparison.Ordinal), text);
    }

    [Fact]
    public void Families_of_several_batches_merge_by_name_and_conflicting_types_are_left_out()
    {
        var up = new GaugeDefinition("x_up", "Up.");
        var a = new MetricWriter();
        a.Write(up, 1);
        a.Write(new GaugeDefinition("x_conflict", "Gauge."), 1);
        var b = new MetricWriter();
        b.Write(new GaugeDefinition("x_up", "Other help."), 0);
        b.Write(new CounterDefinition("x_conflict", "Counter."), 2);

        var document = ExpositionDocument.Create([new(a.Batch, [new("i", "a")]), new(b.Batch, [new("i", "b")])]);
        var buffer = new ArrayBufferWriter<byte>();
        document.WriteTo(buffer, ExpositionFormat.Text);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);

        Assert.Equal(1, document.ConflictingFamilies);
        Assert.Contains("# HELP x_up Up.\n# TYPE x_up gauge\nx_up{i=\"a\"} 1\nx_up{i=\"b\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("x_conflict{i=\"b\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_is_written_as_utf8()
    {
        var writer = new MetricWriter();
        writer.Write(new GaugeDefinition("t_x", "Größe 📦"), 1);
        writer.Write(new GaugeDefinition("t_y", "y", ["name"]), 1, "日本");
        var bytes = new ArrayBufferWriter<byte>();
        ExpositionDocument.Create([new(writer.Batch)]).WriteTo(bytes, ExpositionFormat.Text);
        var text = Encoding.UTF8.GetString(bytes.WrittenSpan);
        Assert.Contains("Größe 📦", text, StringComparison.Ordinal);
        Assert.Contains("t_y{name=\"日本\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_documents_span_many_buffer_segments()
    {
        var definition = new GaugeDefinition("t_many", "Many.", ["id", "padding"]);
        var writer = new MetricWriter();
        var padding = new string('x', 300);
        for (var i = 0; i < 5000; i++)
        {
            writer.Write(definition, i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), padding);
        }

        var text = Render(writer, ExpositionFormat.Text);
        Assert.Equal(5002, text.Count(c => c == '\n'));
        Assert.EndsWith($"t_many{{id=\"4999\",padding=\"{padding}\"}} 4999\n", text, StringComparison.Ordinal);
    }
}
