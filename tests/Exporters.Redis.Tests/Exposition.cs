using System.Globalization;
using System.Text.RegularExpressions;

namespace Exporters.Redis.Tests;

/// <summary>A parsed Prometheus text exposition: families with their type, label names and samples.</summary>
internal sealed partial class Exposition
{
    public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);

    public static Exposition Parse(string text)
    {
        var result = new Exposition();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                result.Families[parts[2]] = new Family(parts[2], parts[3]);
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, "unparsable sample line: " + line);
            var name = match.Groups["name"].Value;
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups[1].Value] = label.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            var family = result.FamilyOf(name);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            family.Samples.Add(new Sample(name, labels, value));
        }

        return result;
    }

    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var family = FamilyOf(name);
        foreach (var sample in family.Samples)
        {
            if (sample.Name == name && labels.All(l => sample.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            {
                return sample.Value;
            }
        }

        return null;
    }

    private Family FamilyOf(string sampleName)
    {
        if (Families.TryGetValue(sampleName, out var family))
        {
            return family;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count", "_total", "_created" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && Families.TryGetValue(sampleName[..^suffix.Length], out family))
            {
                return family;
            }
        }

        family = new Family(sampleName, "untyped");
        Families[sampleName] = family;
        return family;
    }

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>.*)\\})? (?<value>\\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();

    internal sealed record Sample(string Name, SortedDictionary<string, string> Labels, double Value);

    internal sealed class Family(string name, string type)
    {
        public string Name { get; } = name;

        public string Type { get; } = type;

        public List<Sample> Samples { get; } = [];

        /// <summary>Label names of the family's series, without the le and quantile of histograms and summaries.</summary>
        public SortedSet<string> LabelNames => new(Samples.SelectMany(s => s.Labels.Keys).Where(k => k is not "le" and not "quantile"), StringComparer.Ordinal);
    }
}
