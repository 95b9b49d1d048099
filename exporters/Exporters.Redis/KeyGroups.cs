using System.Globalization;
using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;

namespace Exporters.Redis;

/// <summary>
/// redis_exporter's key groups: every key of each database is put in the group named by the captures of the first
/// Lua pattern it matches (or <c>unclassified</c>), and each group reports its key count and total
/// <c>MEMORY USAGE</c>. The matching runs on the server, one SCAN batch per script call, because the patterns are
/// Lua patterns. Only the <c>max_distinct_key_groups</c> groups using the most memory are reported per database;
/// the rest are summed into the <c>overflow</c> group, so cardinality is bounded whatever the keys are.
/// </summary>
internal sealed class KeyGroups
{
    // Scans one batch from the cursor in ARGV[1] (COUNT ARGV[2]) and groups its keys by the patterns in ARGV[3..].
    // Replies with the next cursor and a flat list of group, count, bytes.
    private const string Script = """
        local scan = redis.call('SCAN', ARGV[1], 'COUNT', ARGV[2])
        local totals = {}
        local order = {}
        for _, key in ipairs(scan[2]) do
          local bytes = redis.pcall('MEMORY', 'USAGE', key)
          if type(bytes) ~= 'number' then bytes = 0 end
          local name = 'unclassified'
          for p = 3, #ARGV do
            local found = {string.find(key, ARGV[p])}
            if found[1] then
              local parts = {}
              for c = 3, #found do parts[#parts + 1] = tostring(found[c]) end
              name = table.concat(parts)
              break
            end
          end
          local entry = totals[name]
          if entry then
            entry[1] = entry[1] + 1
            entry[2] = entry[2] + bytes
          else
            totals[name] = {1, bytes}
            order[#order + 1] = name
          end
        end
        local reply = {scan[1]}
        for _, name in ipairs(order) do
          reply[#reply + 1] = name
          reply[#reply + 1] = totals[name][1]
          reply[#reply + 1] = totals[name][2]
        end
        return reply
        """;

    // The groups one database may hold while scanning, before the smallest are folded together; keeps memory bounded
    // however many distinct captures the keys produce.
    private const int MaxTrackedGroups = 10_000;

    private readonly List<string> _patterns;
    private readonly RedisOptions _options;
    private readonly RedisMetrics _metrics;

    private KeyGroups(List<string> patterns, RedisOptions options, RedisMetrics metrics)
    {
        _patterns = patterns;
        _options = options;
        _metrics = metrics;
    }

    public static KeyGroups? Create(RedisOptions options, RedisMetrics metrics) =>
        TryParse(options.CheckKeyGroups, out var patterns, out _) && patterns.Count > 0 ? new KeyGroups(patterns, options, metrics) : null;

    /// <summary>Splits the comma-separated patterns; a pattern holding a comma is written in double quotes, as in CSV.</summary>
    public static bool TryParse(string? text, out List<string> patterns, out string error)
    {
        patterns = [];
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"' && current.ToString().Trim().Length == 0)
            {
                current.Clear();
                quoted = true;
            }
            else if (c == ',')
            {
                Add(current.ToString(), patterns);
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            error = "a double quote is not closed";
            return false;
        }

        Add(current.ToString(), patterns);
        return true;

        static void Add(string pattern, List<string> into)
        {
            if (pattern.Trim() is { Length: > 0 } trimmed)
            {
                into.Add(trimmed);
            }
        }
    }

    /// <summary>Groups the keys of databases 0 to <paramref name="databases"/> - 1 and writes the families.</summary>
    public async Task RunAsync(RedisConnection connection, int databases, MetricWriter writer, TimeProvider time, CancellationToken token)
    {
        var started = time.GetTimestamp();
        var batch = Math.Max(1, _options.CheckKeysBatchSize).ToString(CultureInfo.InvariantCulture);
        for (var db = 0; db < databases; db++)
        {
            var select = (await connection.ExecuteAsync([(string[])["SELECT", db.ToString(CultureInfo.InvariantCulture)]], token))[0];
            if (select.IsError)
            {
                continue;
            }

            var groups = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
            var cursor = "0";
            do
            {
                var reply = (await connection.ExecuteAsync([(string[])["EVAL", Script, "0", cursor, batch, .. _patterns]], token))[0];
                if (reply.IsError || reply.Items.Length == 0 || reply.Items[0].AsString() is not { } next)
                {
                    throw new RedisServerException("key groups: " + (reply.IsError ? reply.Text : "unexpected reply"));
                }

                cursor = next;
                for (var i = 1; i + 2 < reply.Items.Length; i += 3)
                {
                    var name = reply.Items[i].AsString() ?? string.Empty;
                    var count = reply.Items[i + 1].Integer;
                    var bytes = reply.Items[i + 2].Integer;
                    groups[name] = groups.TryGetValue(name, out var sum) ? (sum.Count + count, sum.Bytes + bytes) : (count, bytes);
                }

                if (groups.Count > MaxTrackedGroups)
                {
                    Fold(groups, MaxTrackedGroups / 2);
                }
            }
            while (cursor != "0");

            Write(writer, "db" + db.ToString(CultureInfo.InvariantCulture), groups);
        }

        if (databases > 1)
        {
            _ = await connection.ExecuteAsync([(string[])["SELECT", "0"]], token);
        }

        writer.Write(_metrics.KeyGroupsDuration, time.GetElapsedTime(started).TotalMilliseconds);
    }

    private static void Fold(Dictionary<string, (long Count, long Bytes)> groups, int keep)
    {
        var smallest = groups.Where(g => g.Key != "overflow").OrderByDescending(g => g.Value.Bytes).ThenBy(g => g.Key, StringComparer.Ordinal).Skip(keep).ToList();
        var overflow = groups.GetValueOrDefault("overflow");
        foreach (var (name, value) in smallest)
        {
            overflow = (overflow.Count + value.Count, overflow.Bytes + value.Bytes);
            groups.Remove(name);
        }

        groups["overflow"] = overflow;
    }

    private void Write(MetricWriter writer, string db, Dictionary<string, (long Count, long Bytes)> groups)
    {
        if (groups.Count == 0)
        {
            return;
        }

        var distinct = groups.Count;
        var ordered = groups.OrderByDescending(g => g.Value.Bytes).ThenBy(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (ordered.Count > _options.MaxDistinctKeyGroups)
        {
            var rest = ordered.Skip(_options.MaxDistinctKeyGroups).Aggregate((Count: 0L, Bytes: 0L), (sum, g) => (sum.Count + g.Value.Count, sum.Bytes + g.Value.Bytes));
            ordered = [.. ordered.Take(_options.MaxDistinctKeyGroups), new("overflow", rest)];
        }

        foreach (var (name, (count, bytes)) in ordered)
        {
            writer.Write(_metrics.KeyGroupCount, count, db, name);
            writer.Write(_metrics.KeyGroupMemory, bytes, db, name);
        }

        writer.Write(_metrics.KeyGroupsDistinct, distinct, db);
    }
}
