using System.Globalization;
using System.Text.RegularExpressions;

namespace Exporters.Testing;

/// <summary>
/// A strict check of OpenMetrics 1.0 text against the specification's rules: metadata before samples, families
/// contiguous and not reopened, sample names with the suffixes their type allows, escaping, value ranges per type,
/// histogram buckets, unique series, and <c># EOF</c> last. <c>promtool check metrics</c> of Prometheus 2.42 reads only
/// the text format, so OpenMetrics output is checked here and by a real Prometheus server scraping it.
/// </summary>
public static partial class OpenMetricsValidator
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"];

    /// <summary>Every rule the text breaks; empty when it is valid OpenMetrics.</summary>
    /// <param name="text">The exposition.</param>
    /// <returns>The problems, each with its line number.</returns>
    public static IReadOnlyList<string> Validate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<string>();
        if (!text.EndsWith("# EOF\n", StringComparison.Ordinal) && !text.EndsWith("# EOF", StringComparison.Ordinal))
        {
            problems.Add("the exposition does not end with '# EOF'");
        }

        var lines = text.TrimEnd('\n').Split('\n');
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? family = null;
        string? type = null;
        var sawSample = false;
        var metadata = new HashSet<string>(StringComparer.Ordinal);
        var buckets = new Dictionary<string, List<(double Le, double Count)>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);

        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i];
            if (line == "# EOF")
            {
                if (i != lines.Length - 1)
                {
                    problems.Add($"line {number}: '# EOF' is not the last line");
                }

                continue;
            }

            var meta = Metadata().Match(line);
            if (line.StartsWith('#'))
            {
                if (!meta.Success)
                {
                    problems.Add($"line {number}: comment lines other than HELP, TYPE, UNIT and EOF are not allowed: {line}");
                    continue;
                }

                var kind = meta.Groups[1].Value;
                var name = meta.Groups[2].Value;
                var value = meta.Groups[3].Value;
                if (name != family)
                {
                    CloseFamily();
                    if (!closed.Add(name))
                    {
                        problems.Add($"line {number}: family {name} appears again after other families");
                    }

                    family = name;
                    type = "unknown";
                    sawSample = false;
                    metadata.Clear();
                }

                if (sawSample)
                {
                    problems.Add($"line {number}: {kind} for {name} after its samples");
                }

                if (!metadata.Add(kind))
                {
                    problems.Add($"line {number}: second {kind} line for {name}");
                }

                switch (kind)
                {
                    case "TYPE" when !Types.Contains(value):
                        problems.Add($"line {number}: unknown type '{value}'");
                        break;
                    case "TYPE":
                        type = value;
                        break;
                    case "UNIT" when value.Length > 0 && !name.EndsWith("_" + value, StringComparison.Ordinal):
                        problems.Add($"line {number}: unit '{value}' is not a suffix of {name}");
                        break;
                    case "HELP" when !ValidEscapes(value, allowQuote: true):
                        problems.Add($"line {number}: HELP has an invalid escape");
                        break;
                }

                continue;
            }

            var sample = Sample().Match(line);
            if (!sample.Success)
            {
                problems.Add($"line {number}: not a valid sample line: {line}");
                continue;
            }

            var sampleName = sample.Groups[1].Value;
            var labelText = sample.Groups[2].Success ? sample.Groups[2].Value : string.Empty;
            var valueText = sample.Groups[3].Value;
            var suffix = family is not null && sampleName.StartsWith(family, StringComparison.Ordinal) ? sampleName[family.Length..] : null;
            if (family is null || suffix is null || !AllowedSuffixes(type!).Contains(suffix))
            {
                problems.Add($"line {number}: sample {sampleName} does not belong to the current family {family ?? "(none)"} of type {type ?? "(none)"}");
                continue;
            }

            sawSample = true;
            var labels = ParseLabels(labelText, number, problems);
            if (!TryValue(valueText, out var sampleValue))
            {
                problems.Add($"line {number}: value '{valueText}' is not a number");
                continue;
            }

            var key = sampleName + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key))
            {
                problems.Add($"line {number}: duplicate series {key}");
            }

            var seriesKey = family + "{" + string.Join(",", labels.Where(l => l.Key is not "le" and not "quantile").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            switch (type)
            {
                case "counter" when !(sampleValue >= 0):
                    problems.Add($"line {number}: counter value {valueText} is negative or NaN");
                    break;
                case "info" when sampleValue != 1:
                    problems.Add($"line {number}: info value must be 1");
                    break;
                case "stateset" when sampleValue is not (0 or 1):
                    problems.Add($"line {number}: stateset value must be 0 or 1");
                    break;
                case "stateset" when !labels.ContainsKey(family):
                    problems.Add($"line {number}: stateset sample lacks the label {family}");
                    break;
                case "histogram" when suffix == "_bucket":
                    if (!labels.TryGetValue("le", out var le) || !TryValue(le, out var bound))
                    {
                        problems.Add($"line {number}: bucket without a numeric le");
                        break;
                    }

                    if (!buckets.TryGetValue(seriesKey, out var list))
                    {
                        buckets[seriesKey] = list = [];
                    }

                    if (list.Count > 0 && (bound <= list[^1].Le || sampleValue < list[^1].Count))
                    {
                        problems.Add($"line {number}: buckets are not in increasing order or not cumulative");
                    }

                    list.Add((bound, sampleValue));
                    break;
                case "histogram" when suffix == "_count":
                    counts[seriesKey] = sampleValue;
                    break;
                case "summary" when suffix.Length == 0 && !labels.ContainsKey("quantile"):
                    problems.Add($"line {number}: summary quantile sample lacks the quantile label");
                    break;
            }
        }

        CloseFamily();
        return problems;

        void CloseFamily()
        {
            foreach (var (key, list) in buckets)
            {
                if (list.Count == 0 || !double.IsPositiveInfinity(list[^1].Le))
                {
                    problems.Add($"histogram {key} has no +Inf bucket");
                }
                else if (counts.TryGetValue(key, out var count) && count != list[^1].Count)
                {
                    problems.Add($"histogram {key}: _count {count} differs from the +Inf bucket {list[^1].Count}");
                }
            }

            buckets.Clear();
            counts.Clear();
        }
    }

    private static string[] AllowedSuffixes(string type) => type switch
    {
        "counter" => ["_total", "_created"],
        "info" => ["_info"],
        "histogram" => ["_bucket", "_count", "_sum", "_created"],
        "gaugehistogram" => ["_bucket", "_gcount", "_gsum"],
        "summary" => [string.Empty, "_count", "_sum", "_created"],
        _ => [string.Empty],
    };

    private static Dictionary<string, string> ParseLabels(string text, int number, List<string> problems)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = text;
        while (rest.Length > 0)
        {
            var match = Label().Match(rest);
            if (!match.Success)
            {
                problems.Add($"line {number}: malformed labels: {text}");
                break;
            }

            var value = match.Groups[2].Value;
            if (!ValidEscapes(value, allowQuote: true))
            {
                problems.Add($"line {number}: invalid escape in label value");
            }

            if (!labels.TryAdd(match.Groups[1].Value, value))
            {
                problems.Add($"line {number}: label {match.Groups[1].Value} given twice");
            }

            rest = rest[match.Length..];
            if (rest.StartsWith(',') && rest.Length > 1)
            {
                rest = rest[1..];
            }
            else if (rest.Length > 0)
            {
                problems.Add($"line {number}: malformed labels: {text}");
                break;
            }
        }

        return labels;
    }

    private static bool ValidEscapes(string text, bool allowQuote)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                if (i + 1 >= text.Length || (text[i + 1] is not ('\\' or 'n') && !(allowQuote && text[i + 1] == '"')))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    [GeneratedRegex(@"^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$")]
    private static partial Regex Metadata();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \S+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"^([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
