using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Exporters.Abstractions.Metrics;

BenchmarkRunner.Run<Exporters.Exposition.Bench.ExpositionBenchmarks>(args: args);

namespace Exporters.Exposition.Bench
{

/// <summary>
/// Writing and rendering 10,000 series the way a collector and the host do on every scrape: 100 families of a
/// histogram-free, realistic shape (two labels, 100 series each), into a reused buffer.
/// </summary>
[MemoryDiagnoser]
public class ExpositionBenchmarks
{
    private const int Families = 100;
    private const int SeriesPerFamily = 100;
    private readonly ArrayBufferWriter<byte> _buffer = new(2 * 1024 * 1024);
    private GaugeDefinition[] _definitions = [];
    private string[] _commands = [];
    private MetricBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _definitions = [.. Enumerable.Range(0, Families).Select(i => new GaugeDefinition($"bench_metric_{i}_bytes", "A benchmark family with a help text of ordinary length.", ["db", "cmd"], "bytes"))];
        _commands = [.. Enumerable.Range(0, SeriesPerFamily).Select(i => "command_" + i.ToString(CultureInfo.InvariantCulture))];
        _batch = WriteSeries().Batch;
    }

    // Benchmarks return primitives: BenchmarkDotNet's generated code would resolve Exporters.* to its own namespace.
    [Benchmark(Description = "write 10,000 series (MetricWriter)")]
    public int Write() => WriteSeries().Batch.SeriesCount;

    private MetricWriter WriteSeries()
    {
        var writer = new MetricWriter();
        for (var f = 0; f < _definitions.Length; f++)
        {
            var definition = _definitions[f];
            for (var s = 0; s < _commands.Length; s++)
            {
                writer.Write(definition, (f * 1000) + s + 0.5, "db0", _commands[s]);
            }
        }

        return writer;
    }

    [Benchmark(Description = "render 10,000 series, text 0.0.4")]
    public int RenderText() => Render(ExpositionFormat.Text);

    [Benchmark(Description = "render 10,000 series, OpenMetrics")]
    public int RenderOpenMetrics() => Render(ExpositionFormat.OpenMetrics);

    [Benchmark(Description = "write and render 10,000 series, text 0.0.4")]
    public int WriteAndRenderText()
    {
        _batch = WriteSeries().Batch;
        return Render(ExpositionFormat.Text);
    }

    private int Render(ExpositionFormat format)
    {
        _buffer.ResetWrittenCount();
        ExpositionDocument.Create([new ExpositionSource(_batch)]).WriteTo(_buffer, format);
        return _buffer.WrittenCount;
    }
}
}
