using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Exporters.Security.Tests.Fuzz;

/// <summary>Grammar-based generators: mostly well-formed input with hostile values, then mutated.</summary>
public static class Generators
{
    private static readonly string[] InfoFields =
    [
        "redis_version", "redis_mode", "os", "uptime_in_seconds", "connected_clients", "blocked_clients", "used_memory", "used_memory_rss",
        "maxmemory", "mem_fragmentation_ratio", "role", "connected_slaves", "master_repl_offset", "total_connections_received",
        "total_commands_processed", "instantaneous_ops_per_sec", "keyspace_hits", "keyspace_misses", "evicted_keys", "expired_keys",
        "rdb_last_save_time", "aof_enabled", "loading", "master_link_status", "master_last_io_seconds_ago", "used_cpu_sys", "used_cpu_user",
        "process_id", "tcp_port", "run_id", "maxmemory_policy", "executable", "config_file", "cluster_enabled",
    ];

    private static readonly string[] Sections = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace", "Commandstats", "Latencystats"];

    public static string Number(Random random) => random.Next(12) switch
    {
        0 => "-1",
        1 => "99999999999999999999999999",
        2 => "1e400",
        3 => "NaN",
        4 => "-0",
        5 => "0x1F",
        6 => string.Empty,
        7 => "1.5e-300",
        8 => random.NextDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => random.NextInt64(0, long.MaxValue).ToString(CultureInfo.InvariantCulture),
    };

    public static string Word(Random random, int max = 12)
    {
        var length = random.Next(0, max);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(10) == 0 ? (char)random.Next(0x20, 0x250) : (char)random.Next('a', 'z' + 1));
        }

        return builder.ToString();
    }

    /// <summary>Text of a Redis <c>INFO</c> reply.</summary>
    public static string InfoText(Random random)
    {
        var text = new StringBuilder();
        for (var s = random.Next(1, 6); s > 0; s--)
        {
            text.Append("# ").Append(Sections[random.Next(Sections.Length)]).Append("\r\n");
            for (var f = random.Next(0, 25); f > 0; f--)
            {
                switch (random.Next(8))
                {
                    case 0:
                        text.Append(CultureInfo.InvariantCulture, $"db{random.Next(0, 20)}:keys={Number(random)},expires={Number(random)},avg_ttl={Number(random)}\r\n");
                        break;
                    case 1:
                        text.Append(CultureInfo.InvariantCulture, $"slave{random.Next(0, 5)}:ip={Word(random)},port={Number(random)},state=online,offset={Number(random)},lag={Number(random)}\r\n");
                        break;
                    case 2:
                        text.Append(CultureInfo.InvariantCulture, $"cmdstat_{Word(random)}:calls={Number(random)},usec={Number(random)},usec_per_call={Number(random)},rejected_calls={Number(random)},failed_calls={Number(random)}\r\n");
                        break;
                    case 3:
                        text.Append(CultureInfo.InvariantCulture, $"errorstat_{Word(random)}:count={Number(random)}\r\n");
                        break;
                    case 4:
                        text.Append(CultureInfo.InvariantCulture, $"latency_percentiles_usec_{Word(random)}:p50={Number(random)},p99={Number(random)},p99.9={Number(random)}\r\n");
                        break;
                    case 5:
                        text.Append(Word(random, 40)).Append(':').Append(Word(random, 40)).Append("\r\n");
                        break;
                    default:
                        text.Append(InfoFields[random.Next(InfoFields.Length)]).Append(':').Append(random.Next(3) == 0 ? Word(random) : Number(random)).Append("\r\n");
                        break;
                }
            }

            text.Append("\r\n");
        }

        return random.Next(3) == 0 ? Mutator.Mutate(random, text.ToString()) : text.ToString();
    }

    /// <summary>One RESP2/RESP3 value, sometimes malformed.</summary>
    public static string Resp(Random random, int depth = 0)
    {
        var kind = random.Next(depth > 3 ? 9 : 14);
        return kind switch
        {
            0 => "+" + Word(random) + "\r\n",
            1 => "-ERR " + Word(random, 30) + "\r\n",
            2 => ":" + Number(random) + "\r\n",
            3 => Bulk(random, random.Next(4) == 0 ? InfoText(random) : Word(random, 40)),
            4 => "$-1\r\n",
            5 => "_\r\n",
            6 => "," + Number(random) + "\r\n",
            7 => "#" + (random.Next(2) == 0 ? "t" : "x") + "\r\n",
            8 => "(" + Number(random) + "\r\n",
            9 => Aggregate(random, '*', depth),
            10 => Aggregate(random, '%', depth),
            11 => Aggregate(random, '~', depth),
            12 => Aggregate(random, '>', depth),
            _ => new string('*', 1) + "1\r\n" + string.Concat(Enumerable.Repeat("*1\r\n", random.Next(20, 200))) + ":1\r\n",
        };
    }

    public static string Bulk(Random random, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var declared = random.Next(10) switch
        {
            0 => length + random.Next(1, 10),
            1 => Math.Max(0, length - random.Next(1, 10)),
            2 => int.MaxValue,
            _ => length,
        };
        return "$" + declared.ToString(CultureInfo.InvariantCulture) + "\r\n" + text + "\r\n";
    }

    private static string Aggregate(Random random, char marker, int depth)
    {
        var count = random.Next(0, 6);
        var declared = random.Next(12) == 0 ? count + random.Next(1, 1000) : count;
        var items = new StringBuilder();
        for (var i = 0; i < count * (marker == '%' ? 2 : 1); i++)
        {
            items.Append(Resp(random, depth + 1));
        }

        return marker + declared.ToString(CultureInfo.InvariantCulture) + "\r\n" + items;
    }

    /// <summary>A JSON document derived from <paramref name="seed"/>: values changed in type and size, keys removed or added.</summary>
    public static string Json(Random random, string seed)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(seed);
        }
        catch (System.Text.Json.JsonException)
        {
            return Mutator.Mutate(random, seed);
        }

        node = MutateNode(random, node, 0);
        var text = node?.ToJsonString() ?? "null";
        return random.Next(4) == 0 ? Mutator.Mutate(random, text) : text;
    }

    private static JsonNode? MutateNode(Random random, JsonNode? node, int depth)
    {
        if (random.Next(30) == 0)
        {
            return RandomValue(random, depth);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (random.Next(25) == 0)
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        var child = obj[key];
                        obj[key] = null;
                        obj[key] = MutateNode(random, child, depth + 1);
                    }
                }

                if (random.Next(20) == 0)
                {
                    obj[Word(random, 20)] = RandomValue(random, depth);
                }

                return obj;
            case JsonArray array:
                var items = array.Select(i => i).ToList();
                array.Clear();
                foreach (var item in items)
                {
                    array.Add(MutateNode(random, item, depth + 1));
                }

                if (random.Next(20) == 0)
                {
                    array.Add(RandomValue(random, depth));
                }

                return array;
            default:
                return random.Next(12) == 0 ? RandomValue(random, depth) : node;
        }
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 40 ? 6 : 9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(double.MaxValue * random.NextDouble()),
        4 => JsonValue.Create(Word(random, 50)),
        5 => JsonValue.Create(Number(random)),
        6 => new JsonObject { [Word(random)] = RandomValue(random, depth + 1) },
        7 => new JsonArray(RandomValue(random, depth + 1), RandomValue(random, depth + 1)),
        _ => Nest(random.Next(1, 600)),
    };

    private static JsonNode Nest(int depth)
    {
        // Deeper than System.Text.Json's default limit of 64, to check that the failure is handled.
        JsonNode node = new JsonArray();
        for (var i = 0; i < Math.Min(depth, 60); i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    /// <summary>A Prometheus text or OpenMetrics document.</summary>
    public static string Exposition(Random random, bool openMetrics)
    {
        var text = new StringBuilder();
        string[] types = ["counter", "gauge", "histogram", "summary", "untyped", "info", "stateset", "gaugehistogram", "unknown", "bogus"];
        for (var f = random.Next(0, 8); f > 0; f--)
        {
            var name = random.Next(10) == 0 ? Word(random, 20) : "app_" + Word(random, 8).Replace(' ', '_');
            var type = types[random.Next(types.Length)];
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {Word(random, 30)}\n# TYPE {name} {type}\n");
            if (openMetrics && random.Next(3) == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"# UNIT {name} {Word(random, 6)}\n");
            }

            string[] suffixes = type switch
            {
                "histogram" => ["_bucket", "_sum", "_count", "_created"],
                "summary" => [string.Empty, "_sum", "_count"],
                "counter" => openMetrics ? ["_total", "_created"] : [string.Empty],
                _ => [string.Empty],
            };
            for (var s = random.Next(0, 6); s > 0; s--)
            {
                text.Append(name).Append(suffixes[random.Next(suffixes.Length)]);
                if (random.Next(2) == 0)
                {
                    text.Append('{');
                    for (var l = random.Next(0, 4); l > 0; l--)
                    {
                        text.Append(random.Next(8) == 0 ? "le" : Word(random, 6)).Append("=\"").Append(random.Next(3) == 0 ? Number(random) : Word(random, 10).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\",");
                    }

                    text.Append('}');
                }

                text.Append(' ').Append(Number(random));
                if (random.Next(4) == 0)
                {
                    text.Append(' ').Append(Number(random));
                }

                if (openMetrics && random.Next(6) == 0)
                {
                    text.Append(" # {trace_id=\"").Append(Word(random)).Append("\"} ").Append(Number(random));
                }

                text.Append('\n');
            }
        }

        if (openMetrics && random.Next(5) != 0)
        {
            text.Append("# EOF\n");
        }

        return random.Next(3) == 0 ? Mutator.Mutate(random, text.ToString()) : text.ToString();
    }

    /// <summary>A YAML document over <paramref name="keys"/>, with YAML's hostile features (anchors, tags, deep nesting).</summary>
    public static string Yaml(Random random, IReadOnlyList<string> keys, int depth = 0)
    {
        var text = new StringBuilder();
        var indent = new string(' ', depth * 2);
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            var key = random.Next(6) == 0 ? Word(random, 10) : keys[random.Next(keys.Count)];
            text.Append(indent).Append(key).Append(':');
            switch (random.Next(depth > 4 ? 6 : 9))
            {
                case 0:
                    text.Append(' ').Append(Number(random)).Append('\n');
                    break;
                case 1:
                    text.Append(" \"").Append(Word(random, 20).Replace("\"", string.Empty, StringComparison.Ordinal)).Append("\"\n");
                    break;
                case 2:
                    text.Append(" [").Append(string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Number(random)))).Append("]\n");
                    break;
                case 3:
                    text.Append(" !!binary ").Append(Word(random)).Append('\n');
                    break;
                case 4:
                    text.Append(" &a").Append(random.Next(3)).Append(' ').Append(Word(random)).Append('\n');
                    break;
                case 5:
                    text.Append(" *a").Append(random.Next(3)).Append('\n');
                    break;
                default:
                    text.Append('\n').Append(Yaml(random, keys, depth + 1));
                    break;
            }
        }

        return depth == 0 && random.Next(3) == 0 ? Mutator.Mutate(random, text.ToString()) : text.ToString();
    }
}
