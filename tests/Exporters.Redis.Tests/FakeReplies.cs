using System.Text;

namespace Exporters.Redis.Tests;

/// <summary>Replies of a plausible Redis 7 for the fake server, overridable per command.</summary>
internal static class FakeReplies
{
    public const string Info = "# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\nos:Linux\r\nprocess_id:42\r\ntcp_port:6379\r\nrun_id:abc\r\nuptime_in_seconds:100\r\n"
        + "# Clients\r\nconnected_clients:3\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_replid:r1\r\n"
        + "# Commandstats\r\ncmdstat_get:calls=10,usec=50,usec_per_call=5.00,rejected_calls=1,failed_calls=2\r\n"
        + "# Latencystats\r\nlatency_percentiles_usec_get:p50=4.000,p99=9.000,p99.9=12.000\r\n"
        + "# Errorstats\r\nerrorstat_ERR:count=3\r\n"
        + "# Cluster\r\ncluster_enabled:0\r\n# Keyspace\r\ndb0:keys=5,expires=2,avg_ttl=1500\r\n";

    public static Func<string[], byte[]?> Handler(string info = Info, Func<string[], byte[]?>? overrides = null) => command =>
    {
        if (overrides?.Invoke(command) is { } custom)
        {
            return custom;
        }

        if (command[0] == "AUTH")
        {
            return FakeRedisServer.Raw("+OK\r\n");
        }

        var name = string.Join(' ', command.Take(2)).ToUpperInvariant();
        return name switch
        {
            "INFO ALL" or "INFO" => FakeRedisServer.Bulk(info),
            "CONFIG GET" => FakeRedisServer.Raw(ConfigReply(command[2..])),
            "SLOWLOG LEN" => FakeRedisServer.Raw(":1\r\n"),
            "SLOWLOG GET" => FakeRedisServer.Raw("*1\r\n*4\r\n:7\r\n:1700000000\r\n:25000\r\n*1\r\n$4\r\nKEYS\r\n"),
            "LATENCY LATEST" => FakeRedisServer.Raw("*1\r\n*4\r\n$7\r\ncommand\r\n:1700000000\r\n:250\r\n:300\r\n"),
            "LATENCY HISTOGRAM" => FakeRedisServer.Raw("*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:10\r\n$14\r\nhistogram_usec\r\n*4\r\n:4\r\n:6\r\n:16\r\n:10\r\n"),
            "CLIENT SETNAME" or "AUTH" => FakeRedisServer.Raw("+OK\r\n"),
            _ => FakeRedisServer.Raw("-ERR unknown command\r\n"),
        };
    };

    private static string ConfigReply(string[] parameters)
    {
        var values = new Dictionary<string, string> { ["maxmemory"] = "100", ["maxclients"] = "50", ["databases"] = "2" };
        var known = parameters.Where(values.ContainsKey).ToList();
        return $"*{known.Count * 2}\r\n" + string.Concat(known.Select(p => $"${p.Length}\r\n{p}\r\n${values[p].Length}\r\n{values[p]}\r\n"));
    }

    public static string InfoWith(params string[] lines) => Info + string.Concat(lines.Select(l => l + "\r\n"));

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
