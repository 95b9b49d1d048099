using System.Buffers;
using Exporters.Abstractions.Metrics;

namespace Exporters.Exposition;

/// <summary>
/// The families of several batches, merged by name so each family is written once and contiguously, ready to be
/// written in either format. Writing allocates nothing per sample.
/// </summary>
public sealed class ExpositionDocument
{
    private readonly List<FamilyGroup> _groups;

    private ExpositionDocument(List<FamilyGroup> groups, int conflicts)
    {
        _groups = groups;
        ConflictingFamilies = conflicts;
    }

    /// <summary>How many families were left out because a family of the same name but another type came first.</summary>
    public int ConflictingFamilies { get; }

    /// <summary>The number of merged families.</summary>
    public int FamilyCount => _groups.Count;

    /// <summary>Merges the families of <paramref name="sources"/> by name, in first-seen order.</summary>
    /// <param name="sources">The batches.</param>
    /// <returns>The document.</returns>
    public static ExpositionDocument Create(IEnumerable<ExpositionSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var all = sources as IReadOnlyCollection<ExpositionSource> ?? [.. sources];
        var families = 0;
        foreach (var source in all)
        {
            families += source.Batch.Families.Count;
        }

        var groups = new List<FamilyGroup>(families);
        var byName = new Dictionary<string, FamilyGroup>(families, StringComparer.Ordinal);
        var conflicts = 0;
        foreach (var source in all)
        {
            foreach (var family in source.Batch.Families)
            {
                var definition = family.Definition;
                if (byName.TryGetValue(definition.Name, out var group))
                {
                    if (group.Definition.Type != definition.Type)
                    {
                        conflicts++;
                        continue;
                    }
                }
                else
                {
                    group = new FamilyGroup(definition, source.HelpSuffix);
                    byName.Add(definition.Name, group);
                    groups.Add(group);
                }

                group.Add(family, source.ExtraLabels);
            }
        }

        // OpenMetrics names a counter without its _total; beside a family already called that (a gauge x next to a
        // counter x_total, as Go clients expose go_memstats_alloc_bytes), the counter keeps its full name as unknown.
        foreach (var group in groups)
        {
            if (group.Definition is CounterDefinition { HasTotalSuffix: true } counter && byName.ContainsKey(counter.OpenMetricsName))
            {
                group.OpenMetricsUnknown = true;
            }
        }

        return new ExpositionDocument(groups, conflicts);
    }

    /// <summary>Renders a whole document into <paramref name="output"/>.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="format">The format.</param>
    public void WriteTo(IBufferWriter<byte> output, ExpositionFormat format)
    {
        for (var i = 0; i < _groups.Count; i++)
        {
            WriteFamily(i, output, format);
        }

        WriteEnd(output, format);
    }

    /// <summary>Renders family <paramref name="index"/>, so a caller can flush between families.</summary>
    /// <param name="index">From 0 to <see cref="FamilyCount"/> - 1.</param>
    /// <param name="output">The destination.</param>
    /// <param name="format">The format.</param>
    public void WriteFamily(int index, IBufferWriter<byte> output, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        var o = new Utf8Output(output);
        FamilyRenderer.Write(ref o, _groups[index], format);
        o.Commit();
    }

    /// <summary>Writes what ends a document: <c># EOF</c> for OpenMetrics, nothing for text.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="format">The format.</param>
    public static void WriteEnd(IBufferWriter<byte> output, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format == ExpositionFormat.OpenMetrics)
        {
            var o = new Utf8Output(output);
            o.Ascii("# EOF\n"u8);
            o.Commit();
        }
    }

    internal sealed class FamilyGroup(MetricDefinition definition, string? helpSuffix)
    {
        public MetricDefinition Definition { get; } = definition;

        public string? HelpSuffix { get; } = helpSuffix;

        // Nearly every group has one part (one collector writes the family), so the first is kept in fields.
        private (MetricFamilyData Family, IReadOnlyList<KeyValuePair<string, string>>? ExtraLabels) _first;
        private List<(MetricFamilyData Family, IReadOnlyList<KeyValuePair<string, string>>? ExtraLabels)>? _more;

        public int PartCount { get; private set; }

        /// <summary>Whether OpenMetrics output writes this counter as <c>unknown</c> under its full name.</summary>
        public bool OpenMetricsUnknown { get; set; }

        public (MetricFamilyData Family, IReadOnlyList<KeyValuePair<string, string>>? ExtraLabels) Part(int index) =>
            index == 0 ? _first : _more![index - 1];

        public void Add(MetricFamilyData family, IReadOnlyList<KeyValuePair<string, string>>? extraLabels)
        {
            if (PartCount == 0)
            {
                _first = (family, extraLabels);
            }
            else
            {
                (_more ??= []).Add((family, extraLabels));
            }

            PartCount++;
        }
    }
}
