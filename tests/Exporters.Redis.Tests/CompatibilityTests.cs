using System.Globalization;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>Our families against Debian's prometheus-redis-exporter, both scraping one real redis-server.</summary>
public sealed class CompatibilityTests
{
    /// <summary>Families of theirs we deliberately do not expose, with the reason.</summary>
    private static readonly Dictionary<string, string> Omitted = new(StringComparer.Ordinal)
    {
        ["redis_exporter_build_info"] = "describes the exporter binary (Go version, commit); the host reports its own build info",
    };

    /// <summary>Families whose type differs in Debian's older build (1.45) from the field map (1.88), which we follow.</summary>
    internal static readonly Dictionary<string, string> TypeFromNewerMap = new(StringComparer.Ordinal)
    {
        ["redis_expired_time_cap_reached_total"] = "a counter in redis_exporter 1.88's map, a gauge in Debian's 1.45",
    };

    /// <summary>Labels we add that Debian's build predates.</summary>
    internal static readonly Dictionary<string, string[]> NewerLabels = new(StringComparer.Ordinal)
    {
        ["redis_instance_info"] = ["master_replid"],
    };

    [Fact]
    public async Task Every_family_of_redis_exporter_is_exposed_with_the_same_type_and_labels()
    {
        await using var master = await RedisServer.StartAsync();
        await master.CliAsync("SET", "foo", "bar");
        await master.CliAsync("SET", "ttl", "1", "EX", "1000");
        await master.CliAsync("SELECT", "3");
        await using var replica = await RedisServer.StartAsync("--replicaof", "127.0.0.1", master.Port.ToString(CultureInfo.InvariantCulture));
        await WaitForAsync(async () => (await master.CliAsync("INFO", "replication")).Contains("slave0:", StringComparison.Ordinal));

        foreach (var server in new[] { master, replica })
        {
            var theirs = await ScrapeTheirsAsync(server);
            Assert.True(theirs.Families.Count > 100, "their exporter returned too little to compare");
            Assert.Equal(1, theirs.Value("redis_up"));
            await using var harness = Scrapes.Harness(server.Address);
            var (ours, text, _) = await Scrapes.ScrapeAsync(harness);
            var problems = new List<string>();
            foreach (var (name, family) in theirs.Families)
            {
                if (name.StartsWith("go_", StringComparison.Ordinal) || name.StartsWith("process_", StringComparison.Ordinal) || name.StartsWith("promhttp_", StringComparison.Ordinal))
                {
                    continue; // Go runtime and process metrics of their binary; the host exports its own process metrics.
                }

                if (Omitted.ContainsKey(name))
                {
                    continue;
                }

                if (!ours.Families.TryGetValue(name, out var mine))
                {
                    problems.Add($"missing family {name} ({family.Type})");
                    continue;
                }

                if (mine.Type != family.Type && !TypeFromNewerMap.ContainsKey(name))
                {
                    problems.Add($"{name}: type {mine.Type}, theirs {family.Type}");
                }

                var myLabels = mine.LabelNames;
                myLabels.ExceptWith(NewerLabels.GetValueOrDefault(name) ?? []);
                if (family.Samples.Count > 0 && mine.Samples.Count > 0 && !myLabels.SetEquals(family.LabelNames))
                {
                    problems.Add($"{name}: labels {string.Join(",", myLabels)}, theirs {string.Join(",", family.LabelNames)}");
                }
            }

            Assert.True(problems.Count == 0, $"against {server.Address}:\n" + string.Join("\n", problems) + "\n\nours:\n" + text);

            // Values that do not move between the two scrapes are equal.
            foreach (var name in new[] { "redis_config_maxmemory", "redis_config_maxclients", "redis_config_io_threads", "redis_connected_slaves" })
            {
                Assert.Equal(theirs.Value(name), ours.Value(name));
            }

            foreach (var sample in theirs.Families["redis_db_keys"].Samples)
            {
                Assert.Equal(sample.Value, ours.Value("redis_db_keys", ("db", sample.Labels["db"])));
            }

            var theirInfo = Assert.Single(theirs.Families["redis_instance_info"].Samples);
            var ourInfo = Assert.Single(ours.Families["redis_instance_info"].Samples);
            foreach (var (label, value) in theirInfo.Labels)
            {
                Assert.Equal(value, ourInfo.Labels[label]);
            }

            Assert.Equal(1, ours.Value("redis_up"));
        }
    }

    [Fact]
    public async Task A_script_gives_the_family_and_values_of_redis_exporter()
    {
        await using var server = await RedisServer.StartAsync();
        await server.CliAsync("HSET", "stats", "jobs_done", "42", "ratio", "0.25", "big", "1e6");
        var directory = Tools.TempDirectory("lua-compat");
        var script = Path.Combine(directory, "stats.lua");
        await File.WriteAllTextAsync(script, "local r = redis.call('HGETALL', 'stats') table.insert(r, 'fixed') table.insert(r, '-3') return r");

        var theirs = await ScrapeTheirsAsync(server, $"--script={script}");
        await using var harness = Scrapes.Harness(server.Address, ("script:0", script));
        var (ours, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, theirs.Value("redis_up"));
        Assert.Equal(1, ours.Value("redis_up"));

        var their = theirs.Families["redis_script_values"];
        var mine = ours.Families["redis_script_values"];
        Assert.Equal(their.Type, mine.Type);

        // Debian's 1.45 predates several scripts and so the filename label; later versions have it, as we do.
        var myLabels = mine.LabelNames;
        Assert.True(myLabels.Remove("filename"), text);
        Assert.True(myLabels.SetEquals(their.LabelNames), $"labels {string.Join(",", myLabels)}, theirs {string.Join(",", their.LabelNames)}");
        Assert.Equal(4, their.Samples.Count);
        Assert.Equal(their.Samples.Count, mine.Samples.Count);
        foreach (var sample in their.Samples)
        {
            Assert.Equal(sample.Value, ours.Value("redis_script_values", ("filename", script), ("key", sample.Labels["key"])));
        }

        // Where a value is not a number, redis_exporter fails the whole scrape; here only the script's result is 0.
        var bad = Path.Combine(directory, "bad.lua");
        await File.WriteAllTextAsync(bad, "return {'a', 'not a number'}");
        theirs = await ScrapeTheirsAsync(server, $"--script={bad}");
        Assert.Equal(0, theirs.Value("redis_up"));
        await using var badHarness = Scrapes.Harness(server.Address, ("script:0", bad));
        (ours, _, _) = await Scrapes.ScrapeAsync(badHarness);
        Assert.Equal(1, ours.Value("redis_up"));
        Assert.Equal(0, ours.Value("redis_script_result", ("filename", bad)));
    }

    private static async Task<Exposition> ScrapeTheirsAsync(RedisServer server, params string[] extra)
    {
        var port = Tools.FreePort();
        var process = ExternalProcess.Start("prometheus-redis-exporter", [$"--redis.addr={server.Address}", $"--web.listen-address=127.0.0.1:{port}", .. extra]);
        await using (process)
        {
            await process.WaitForPortAsync(port);
            using var http = new HttpClient();
            return Exposition.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
        }
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("condition not reached in 10 s");
    }
}
