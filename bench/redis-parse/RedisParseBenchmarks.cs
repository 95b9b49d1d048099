using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exporters.Redis.Bench;

internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>
/// The collector's own work in one steady-state scrape of a real redis-server 7 with about 10,000 keys, without the
/// socket: parsing the pipelined replies (captured by <c>bench/redis-parse/capture</c>) and writing them as families.
/// </summary>
// Results are returned as object: BenchmarkDotNet's generated code cannot name a type under a namespace called Exporters.
[MemoryDiagnoser]
public class RedisParseBenchmarks
{
    // The commands RedisCollector.AddCommands sends to a Redis 7 standalone server with default options, in order.
    private static readonly List<Reply> Purposes = [Reply.Info, Reply.Config, Reply.SlowlogLen, Reply.SlowlogGet, Reply.LatencyLatest, Reply.LatencyHistogram];

    private readonly ServerProfile _profile = new() { MajorVersion = 7 };
    private byte[] _wire = [];
    private RespValue[] _replies = [];
    private RedisCollector _collector = null!;

    [GlobalSetup]
    public void Setup()
    {
        _wire = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "redis7-scrape.resp"));
        _replies = Parse(_wire);
        _collector = new RedisCollector(new RedisOptions(), null, new CollectorCreationContext("redis", NullLoggerFactory.Instance, TimeProvider.System));
        var writer = Write(_replies);
        if (writer.Batch.Families.Count < 100 || writer.RejectedSamples != 0)
        {
            throw new InvalidOperationException($"the capture gave {writer.Batch.Families.Count} families and {writer.RejectedSamples} rejected samples");
        }
    }

    /// <summary>RESP parsing of the six pipelined replies (INFO ALL is the bulk of the bytes).</summary>
    [Benchmark]
    public int ParseReplies() => Parse(_wire).Length;

    /// <summary>INFO, CONFIG, SLOWLOG and LATENCY replies to families through <see cref="MetricWriter"/>.</summary>
    [Benchmark]
    public object WriteFamilies() => Write(_replies);

    /// <summary>Both: everything the collector does per scrape between the socket and the host.</summary>
    [Benchmark]
    public object ParseAndWrite() => Write(Parse(_wire));

    // As RedisConnection.ExecuteAsync does: one arena for the replies of a batch.
    private static RespValue[] Parse(byte[] wire)
    {
        var replies = new RespValue[Purposes.Count];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
        var arena = new RespArena();
        for (var i = 0; i < replies.Length; i++)
        {
            if (!RespParser.TryParse(ref reader, 64L * 1024 * 1024, arena, out replies[i]))
            {
                throw new InvalidOperationException($"the capture holds {i} replies, not {replies.Length}");
            }
        }

        return replies;
    }

    private MetricWriter Write(RespValue[] replies)
    {
        // Sized as the host sizes it: for the families of the previous scrape.
        var writer = new MetricWriter(int.MaxValue, expectedFamilies: 160);
        var result = new CommandBatch.Result(Purposes, replies);
        _collector.WriteReplies(writer, NullLogger.Instance, _profile, result, result.Single(Reply.Info));
        return writer;
    }
}
