using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Exporters.Abstractions.Metrics;
using Exporters.Exposition;

namespace Exporters.Passthrough.Bench;

internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>
/// Parsing and re-emitting a document of 5,000 series (3,000 counters, 1,000 gauges, 1,000 histograms of eight
/// buckets: about 15,000 lines) in both formats. Goals: a warm parser allocates nothing per document; parse plus
/// re-emit stays under 10 ms on one core.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private readonly ExpositionParser _parser = new();
    private readonly NullSink _sink = new();
    private byte[] _document = [];
    private PassthroughScraper _scraper = null!;

    // A string, not the enum: BenchmarkDotNet's generated code cannot name a type under a namespace called Exporters.
    [Params("text", "openmetrics")]
    public string Format { get; set; } = "text";

    private ExpositionSyntax Syntax => Format == "text" ? ExpositionSyntax.Text : ExpositionSyntax.OpenMetrics;

    [GlobalSetup]
    public void Setup()
    {
        var writer = new MetricWriter();
        var requests = new CounterDefinition("app_requests_total", "Requests.", ["method", "code", "path"]);
        var inflight = new GaugeDefinition("app_in_flight", "In flight.", ["path"]);
        var latency = new HistogramDefinition("app_latency_seconds", "Latency.", ["path"], "seconds");
        HistogramBucket[] buckets = [new(0.005, 1), new(0.01, 2), new(0.05, 3), new(0.1, 4), new(0.5, 5), new(1, 6), new(5, 7)];
        for (var p = 0; p < 1000; p++)
        {
            var path = "/api/v1/resource/" + p;
            foreach (var code in new[] { "200", "404", "500" })
            {
                writer.Write(requests, p * 3.5, "get", code, path);
            }

            writer.Write(inflight, p % 7, path);
            writer.Write(latency, buckets, 12.5, 8, path);
        }

        var buffer = new ArrayBufferWriter<byte>();
        ExpositionDocument.Create([new ExpositionSource(writer.Batch)]).WriteTo(buffer, Format == "text" ? ExpositionFormat.Text : ExpositionFormat.OpenMetrics);
        _document = buffer.WrittenSpan.ToArray();
        _scraper = new PassthroughScraper(new PassthroughSettings { SeriesLimit = 0 }, "bench_", new HttpClient());
        _parser.Parse(_document, Syntax, _sink);
    }

    [Benchmark]
    public int Parse() => _parser.Parse(_document, Syntax, _sink).Samples;

    [Benchmark]
    public int ParseAndReemit()
    {
        var writer = new MetricWriter();
        _scraper.Emit(_document, Syntax, writer, null, null);
        return writer.Batch.SeriesCount;
    }

    private sealed class NullSink : IFamilySink
    {
        public void OnFamily(ParsedFamily family)
        {
        }

        public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line) => throw new InvalidOperationException(reason);
    }
}
