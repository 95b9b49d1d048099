using System.Globalization;
using System.Text.Json;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>
/// <c>is_cluster</c> against a real three-node Redis Cluster on 127.0.0.1: key and stream checks reach keys on every
/// node, and <c>/discover-cluster-nodes</c> lists the nodes for Prometheus HTTP service discovery.
/// </summary>
public sealed class ClusterTests
{
    private static readonly string[] Keys = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

    [Fact]
    public async Task Key_and_stream_checks_follow_MOVED_to_every_node()
    {
        await using var cluster = await RedisCluster.StartAsync();
        for (var i = 0; i < Keys.Length; i++)
        {
            await cluster.CliAsync("SET", "k:" + Keys[i], (i + 1).ToString(CultureInfo.InvariantCulture));
        }

        await cluster.CliAsync("XADD", "stream:" + Keys[0], "*", "f", "v");
        await cluster.CliAsync("XADD", "stream:" + Keys[1], "*", "f", "v");
        var holders = new HashSet<int>();
        foreach (var key in Keys)
        {
            holders.Add(await cluster.NodeOfAsync("k:" + key));
        }

        Assert.True(holders.Count > 1, "the keys all landed on one node; the test would prove nothing");
        var singles = string.Join(',', Keys.Select(k => "k:" + k));
        var settings = new (string, string?)[] { ("check_single_keys", singles), ("check_keys", "k:*"), ("count_keys", "k:*"), ("check_streams", "stream:*") };

        // Without is_cluster, keys on the other nodes are out of reach.
        await using (var plain = Scrapes.Harness(cluster.Nodes[0].Address, settings))
        {
            var (parsed, _, _) = await Scrapes.ScrapeAsync(plain);
            Assert.True(parsed.Families["redis_key_value"].Samples.Count < Keys.Length);
        }

        await using var harness = Scrapes.Harness(cluster.Nodes[0].Address, [.. settings, ("is_cluster", "true")]);
        var (clustered, text, _) = await Scrapes.ScrapeAsync(harness);
        for (var i = 0; i < Keys.Length; i++)
        {
            Assert.True(clustered.Value("redis_key_value", ("db", "db0"), ("key", "k:" + Keys[i])) == i + 1, Keys[i] + "\n" + text);
        }

        Assert.Equal(Keys.Length, clustered.Families["redis_key_value"].Samples.Count);
        Assert.Equal(Keys.Length, clustered.Value("redis_keys_count", ("db", "db0"), ("key", "k:*")));
        Assert.Equal(1, clustered.Value("redis_stream_length", ("db", "db0"), ("stream", "stream:" + Keys[0])));
        Assert.Equal(1, clustered.Value("redis_stream_length", ("db", "db0"), ("stream", "stream:" + Keys[1])));
        Assert.Equal(0, clustered.Value("redis_exporter_key_checks_truncated", ("reason", "error")));
        Assert.Equal("ok", clustered.Families["redis_cluster_state"].Samples.Count > 0 ? "ok" : "missing");
    }

    [Fact]
    public async Task Single_keys_follow_MOVED_on_every_node_they_are_asked_of()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await cluster.CliAsync("SET", "k:" + Keys[2], "3");
        var holder = await cluster.NodeOfAsync("k:" + Keys[2]);
        var other = cluster.Nodes[(holder + 1) % 3];
        await using var harness = Scrapes.Harness(other.Address, ("check_single_keys", "k:" + Keys[2]), ("is_cluster", "true"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(3, parsed.Value("redis_key_value", ("db", "db0"), ("key", "k:" + Keys[2])));
        Assert.Equal(1, parsed.Value("redis_key_size", ("db", "db0"), ("key", "k:" + Keys[2])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Discover_cluster_nodes_answers_http_service_discovery_with_every_node(bool hostnames)
    {
        await using var cluster = await RedisCluster.StartAsync(hostnames);
        var port = Tools.FreePort();
        List<string> args = [$"-web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", $"-redis.addr={cluster.Nodes[1].Address}", "-is-cluster"];
        if (hostnames)
        {
            args.Add("-cluster-discover-hostnames");
        }

        var builder = StockExporter.Builder(args, null);
        builder.ProgramName = "redis_exporter";
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
            using var response = await client.GetAsync(new Uri("/discover-cluster-nodes", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var document = JsonDocument.Parse(body);
            var group = Assert.Single(document.RootElement.EnumerateArray().ToList());
            var targets = group.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList();
            var expected = cluster.Nodes.Select((n, i) => hostnames
                ? $"redis://node-{i.ToString(CultureInfo.InvariantCulture)}.cluster.test:{n.Port.ToString(CultureInfo.InvariantCulture)}"
                : $"redis://127.0.0.1:{n.Port.ToString(CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, targets);
            Assert.Equal(JsonValueKind.Object, group.GetProperty("labels").ValueKind);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Discover_cluster_nodes_without_is_cluster_is_a_bad_request()
    {
        await using var redis = await RedisServer.StartAsync();
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"-web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", $"-redis.addr={redis.Address}"], null);
        builder.ProgramName = "redis_exporter";
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
            using var response = await client.GetAsync(new Uri("/discover-cluster-nodes", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task ASK_is_followed_with_ASKING_on_the_named_node()
    {
        await using var target = new FakeRedisServer(command => command switch
        {
            ["ASKING"] => FakeRedisServer.Raw("+OK\r\n"),
            ["TYPE", "moving"] => FakeRedisServer.Raw("+string\r\n"),
            ["MEMORY", "USAGE", "moving"] => FakeRedisServer.Raw(":56\r\n"),
            ["STRLEN", "moving"] => FakeRedisServer.Raw(":1\r\n"),
            ["GETRANGE", "moving", ..] => FakeRedisServer.Bulk("7"),
            _ => FakeRedisServer.Raw("-ERR unexpected\r\n"),
        });
        var ask = FakeRedisServer.Raw($"-ASK 1234 127.0.0.1:{target.Port.ToString(CultureInfo.InvariantCulture)}\r\n");
        await using var seed = new FakeRedisServer(FakeReplies.Handler(overrides: command => command switch
        {
            ["TYPE", "moving"] or ["MEMORY", "USAGE", "moving"] or ["STRLEN", "moving"] or ["GETRANGE", "moving", ..] => ask,
            ["SELECT", _] => FakeRedisServer.Raw("+OK\r\n"),
            _ => null,
        }));
        await using var harness = Scrapes.Harness(seed.Address, ("check_single_keys", "moving"), ("is_cluster", "true"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_key_value", ("db", "db0"), ("key", "moving")) == 7, text);
        Assert.Equal(56, parsed.Value("redis_key_memory_usage_bytes", ("db", "db0"), ("key", "moving")));
        var commands = target.Commands.ToList();
        Assert.Equal(["ASKING"], commands[0]);
    }
}
