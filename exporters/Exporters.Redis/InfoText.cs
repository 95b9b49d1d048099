using System.Runtime.CompilerServices;

// The parsing benchmark (bench/redis-parse) runs the collector's internal reply code directly.
[assembly: InternalsVisibleTo("Exporters.Redis.Bench")]

namespace Exporters.Redis;

/// <summary>Splits the text replies of INFO, CLUSTER INFO and CLIENT LIST.</summary>
internal static class InfoText
{
    /// <summary>The <c>field:value</c> lines of an INFO reply with the section each is in; other lines are skipped.</summary>
    public static List<(string Section, string Field, string Value)> Fields(string text)
    {
        var result = new List<(string Section, string Field, string Value)>(256);
        var section = string.Empty;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.TrimEnd('\r');
            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                section = line[1..].Trim().ToString();
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            result.Add((section, line[..colon].ToString(), line[(colon + 1)..].ToString()));
        }

        return result;
    }

    /// <summary>The <c>a=1,b=2</c> pairs of a composite INFO value (keyspace, cmdstat, slave lines).</summary>
    public static Dictionary<string, string> Pairs(string value, char separator = ',')
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value.Split(separator, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[part[..eq]] = part[(eq + 1)..];
            }
        }

        return result;
    }
}
