using System.Buffers;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Redis.Tests;

/// <summary>
/// Replies turned into families compared byte for byte with the output recorded before the reply parsing was
/// reworked for fewer allocations: the capture of a real redis-server 7 scrape, and odd INFO texts that reach every
/// branch (replica, sentinel, cluster, client list, duplicates, lines without a colon, bare LF, non-ASCII).
/// Set REDIS_GOLDEN_UPDATE=1 to rewrite the expected files after an intended change.
/// </summary>
public sealed class ReplyGoldenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    internal static string AssetPath(string name) => Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.Redis.Tests", "Assets", name);

    /// <summary>Parses every reply in <paramref name="wire"/>, as the connection does.</summary>
    internal static RespValue[] ParseAll(byte[] wire, int count)
    {
        var replies = new RespValue[count];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
        for (var i = 0; i < count; i++)
        {
            Assert.True(RespParser.TryParse(ref reader, 64L * 1024 * 1024, out replies[i]), $"reply {i} is incomplete");
        }

        Assert.Equal(0, reader.Remaining);
        return replies;
    }

    /// <summary>Runs the collector's reply writing and returns the text format and the log.</summary>
    internal static (string Text, string Log) Render(List<Reply> purposes, RespValue[] replies, ServerProfile profile)
    {
        var logger = new TestLogger();
        var collector = new RedisCollector(new RedisOptions { ExportClientConnections = true }, null, new CollectorCreationContext("redis", Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new FixedTime()));
        var writer = new MetricWriter();
        var result = new CommandBatch.Result(purposes, replies);
        collector.WriteReplies(writer, logger, profile, result, result.Single(Reply.Info));
        return (CollectorHarness.Render(writer.Batch), string.Join("\n", logger.Lines) + "\n");
    }

    private static void Check(string name, (string Text, string Log) actual)
    {
        var combined = actual.Text + "# log\n" + actual.Log;
        var path = AssetPath(name);
        if (Environment.GetEnvironmentVariable("REDIS_GOLDEN_UPDATE") == "1")
        {
            File.WriteAllText(path, combined);
        }

        Assert.Equal(File.ReadAllText(path), combined);
    }

    [Fact]
    public void A_captured_redis_7_scrape_gives_the_recorded_families()
    {
        List<Reply> purposes = [Reply.Info, Reply.Config, Reply.SlowlogLen, Reply.SlowlogGet, Reply.LatencyLatest, Reply.LatencyHistogram];
        var replies = ParseAll(File.ReadAllBytes(AssetPath("redis7-scrape.resp")), purposes.Count);
        Check("redis7-scrape.prom", Render(purposes, replies, new ServerProfile { MajorVersion = 7 }));
    }

    [Fact]
    public void Odd_INFO_texts_and_secondary_replies_give_the_recorded_families()
    {
        var info = string.Join("\r\n",
            "# Server", "redis_version:6.2.1", "redis_mode:sentinel", "os:Linux ünïcode", "tcp_port:26379", "run_id:r", "process_id:7",
            "uptime_in_seconds:1000", "uptime_in_seconds:5", "executable:/opt/редис/redis-server", "no colon on this line", ":starts with colon",
            "# Replication", "role:slave", "master_host:10.0.0.1", "master_port:6379", "master_link_status:down", "master_last_io_seconds_ago:-1",
            "master_sync_in_progress:0", "slave_repl_offset:1234", "master_link_down_since_seconds:-1", "replica_read_only:1",
            "slave0:ip=10.0.0.2,port=6380,state=online,offset=99,lag=1", "slave1:10.0.0.3,6381,online", "slave2:ip=10.0.0.4,port=6382,state=wait_bgsave,offset=x,lag=",
            "connected_slaves:3\n# Sentinel\nsentinel_masters:2\nsentinel_tilt:0\nsentinel_unknown_text:abc",
            "master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=2,sentinels=3",
            "master1:name=other,status=sdown,address=10.0.0.9:6379,slaves=0,sentinels=1",
            "# Commandstats", "cmdstat_get:calls=10,usec=50,usec_per_call=5.00", "cmdstat_get:calls=99,usec=99",
            "cmdstat_set:usec=3,calls=4,rejected_calls=0,failed_calls=0,extra=1", "cmdstat_broken:calls=1", "cmdstat_:calls=1,usec=1",
            "cmdstat_client|list:calls=2,usec=8,,", "cmdstat_ünï:calls=1,usec=2",
            "# Errorstats", "errorstat_ERR:count=3", "errorstat_WRONGTYPE:count=", "errorstat_MOVED:count=2,count=5",
            "# Latencystats", "latency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=3.007", "latency_percentiles_usec_set:p50=1", "latency_percentiles_usec_none:",
            "# Cluster", "cluster_enabled:1", "cluster_state:ok",
            "# Keyspace", "db0:keys=5,expires=2,avg_ttl=1500", "db3:keys=1", "db12:expires=1,keys=7,avg_ttl=x", "dbx:keys=1", "db4:keys=1e3,expires=1.5e1",
            "# Memory", "used_memory:1024", "mem_fragmentation_ratio:1.25", "latest_fork_usec:2500", "used_memory_human:1.00K",
            "rdb_last_bgsave_status:ok", "aof_last_write_status:err", "", "",
            "# Weird", "a:b:c", "field with space:1", "   :x", "total_connections_received:  12", "expired_keys:+3", "evicted_keys:1e2",
            "keyspace_hits:0x10", "keyspace_misses:NaN", "instantaneous_ops_per_sec:Infinity", "loading:-0");
        info += "\nlast_line_without_newline:4";
        var clusterInfo = "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:6\r\ncluster_size:3\r\ncluster_stats_messages_sent:12\r\nnot_cluster:1\r\ncluster_weird:abc\r\n";
        var clientList = "id=3 addr=127.0.0.1:5 name=app flags=N db=0\nid=4 addr=127.0.0.1:6 name=app flags=N\r\nid=5 name= flags=S\n\nid=6 flags=M name=worker=x\n";
        var wire = new StringBuilder()
            .Append(Bulk(info))
            .Append("*4\r\n$9\r\nmaxmemory\r\n$3\r\n100\r\n$9\r\ndatabases\r\n:16\r\n")
            .Append(Bulk(clusterInfo))
            .Append(Bulk(clientList))
            .ToString();
        List<Reply> purposes = [Reply.Info, Reply.Config, Reply.ClusterInfo, Reply.ClientList];
        var replies = ParseAll(Encoding.UTF8.GetBytes(wire), purposes.Count);
        Check("odd-info.prom", Render(purposes, replies, new ServerProfile { MajorVersion = 6 }));
    }

    private static string Bulk(string text) => $"${Encoding.UTF8.GetByteCount(text)}\r\n{text}\r\n";

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
