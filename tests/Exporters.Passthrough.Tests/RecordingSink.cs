using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Exposition;
using Exporters.Testing;

namespace Exporters.Passthrough.Tests;

/// <summary>Keeps copies of what the parser reports.</summary>
internal sealed class RecordingSink : IFamilySink
{
    public List<(string Name, ParsedType Type, string? Help, string? Unit, List<(SampleKind Kind, string Labels, double Value)> Samples)> Families { get; } = [];

    public List<(int Line, string Reason)> Malformed { get; } = [];

    public void OnFamily(ParsedFamily family)
    {
        var samples = new List<(SampleKind, string, double)>();
        foreach (var sample in family.Samples)
        {
            var names = family.LabelNames(sample).ToArray();
            var values = family.LabelValues(sample).ToArray();
            var labels = string.Join(",", Enumerable.Range(0, names.Length).Select(i => $"{names[i]}={values[i]}"));
            samples.Add((sample.Kind, labels, sample.Value));
        }

        Families.Add((family.Name, family.Type, family.Help, family.Unit, samples));
    }

    public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line) => Malformed.Add((lineNumber, reason));

    public static RecordingSink Parse(string document, ExpositionSyntax syntax)
    {
        var sink = new RecordingSink();
        new ExpositionParser().Parse(Encoding.UTF8.GetBytes(document), syntax, sink);
        return sink;
    }
}

internal static class Reemit
{
    /// <summary>Parses <paramref name="document"/> and re-emits it into a fresh writer.</summary>
    public static (MetricWriter Writer, ParseSummary Summary, PassthroughScraper Scraper) Run(string document, ExpositionSyntax syntax, PassthroughSettings? settings = null)
    {
        var scraper = new PassthroughScraper(settings ?? new PassthroughSettings(), "test_", new HttpClient());
        var writer = new MetricWriter();
        var summary = scraper.Emit(Encoding.UTF8.GetBytes(document), syntax, writer, null, null);
        return (writer, summary, scraper);
    }

    public static string Render(MetricBatch batch, ExpositionFormat format) => CollectorHarness.Render(batch, format);
}
