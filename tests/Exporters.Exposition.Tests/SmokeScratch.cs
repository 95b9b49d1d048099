using System.Buffers;
using System.Text;
using Exporters.Abstractions.Metrics;
using Xunit.Abstractions;
namespace Exporters.Exposition.Tests;

public class SmokeScratch(ITestOutputHelper output)
{
    [Fact]
    public void Print()
    {
        var w = new MetricWriter();
        w.Write(new GaugeDefinition("a_up", "Up \"x\"\nline \\"), 1);
        var c = new CounterDefinition("a_requests_total", "Reqs", ["code"]);
        w.Write(c, 3, "200"); w.Write(c, 4, "5\"00\n");
        w.Write(new CounterDefinition("a_raw", "raw counter"), 5);
        w.Write(new InfoDefinition("a_build_info", "Build", ["version"]), "1.0");
        var s = new StateSetDefinition("a_state", "State");
        w.WriteStates(s, ["ok", "fail"], "ok");
        w.Write(new HistogramDefinition("a_latency_seconds", "Lat", ["cmd"], "seconds"), [new(0.1, 1), new(1, 3)], 2.5, 4, "get");
        w.Write(new SummaryDefinition("a_q", "Q"), [new(0.5, 1), new(0.99, double.NaN)], 10, 3);
        foreach (var f in new[] { ExpositionFormat.Text, ExpositionFormat.OpenMetrics })
        {
            var buf = new ArrayBufferWriter<byte>();
            ExpositionDocument.Create([new ExpositionSource(w.Batch, [new("inst", "x")])]).WriteTo(buf, f);
            output.WriteLine(Encoding.UTF8.GetString(buf.WrittenSpan));
        }
    }
}
