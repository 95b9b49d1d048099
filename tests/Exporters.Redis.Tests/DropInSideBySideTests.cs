using System.Globalization;
using System.Net.Sockets;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

/// <summary>
/// Pod-spec style invocations (single-dash flags, <c>REDIS_EXPORTER_*</c> variables, no listen address) of the stock
/// executable started through a <c>redis_exporter</c> symlink, as the image ships it. Families, types and label sets
/// are compared with redis_exporter 1.88's family list (tests/Exporters.TestSupport/Anchors, read from its source)
/// and, where Debian's redis_exporter 1.45 knows the same flags, with that binary run beside it.
/// </summary>
public sealed class DropInSideBySideTests
{
    /// <summary>Families this project adds, which redis_exporter has not (docs/metrics/redis.md says why).</summary>
    private static readonly HashSet<string> OwnFamilies = new(StringComparer.Ordinal)
    {
        "master_link_down_since_seconds", "exporter_key_checks_truncated", "exporter_key_checks_scanned_keys", "exporter_script_values_truncated",
        "client_connections", "exporter_clients_not_listed",
    };

    /// <summary>1.88 families that the flags used here enable but that need data or a server this test does not have.</summary>
    private static readonly Dictionary<string, string> NotExpectedHere = new(StringComparer.Ordinal)
    {
        ["exporter_build_info"] = "the host reports its own build in exporter_build_info (not redis_-prefixed)",
        ["errors_total"] = "only once the server has answered an error",
        ["latency_spike_last"] = "only after a latency spike",
        ["latency_spike_duration_seconds"] = "only after a latency spike",
        ["db_avg_ttl_seconds"] = "present; listed here because 1.88 writes it only for databases with keys",
        ["connected_client_shard_channel_watched_keys"] = "Redis 7.4 and later",
        ["exporter_last_scrape_ping_time_seconds"] = "only with ping-on-connect",
        ["stream_group_consumer_idle_seconds"] = "only with consumers",
        ["stream_group_consumer_messages_pending"] = "only with consumers",
        ["key_value_as_string"] = "only for non-numeric strings",
    };

    /// <summary>Families of Debian's 1.45 that 1.88 no longer has, which this project follows.</summary>
    private static readonly Dictionary<string, string> DroppedSince145 = new(StringComparer.Ordinal)
    {
        ["redis_connected_clients_details"] = "1.45's export-client-list family, replaced in 1.88 by redis_connected_client_info and the per-client gauges",
    };

    private static Dictionary<string, (string Type, string[] Labels, string When)> AnchorFamilies() =>
        File.ReadAllLines(Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.TestSupport", "Anchors", "redis_exporter-1.88-families.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .ToDictionary(p => p[0], p => (p[1], p[2] == "-" ? Array.Empty<string>() : p[2].Split(','), p[3]), StringComparer.Ordinal);

    private static async Task<(ExternalProcess Process, string Directory)> StartSymlinkAsync(IEnumerable<string> args, Dictionary<string, string?>? environment = null)
    {
        var directory = Tools.TempDirectory("dropin");
        var link = Path.Combine(directory, "redis_exporter");
        File.CreateSymbolicLink(link, Tools.StockExecutable());
        var process = ExternalProcess.Start(link, args, directory, environment);
        return await Task.FromResult((process, directory));
    }

    private static async Task<string> GetAsync(int port, string path = "/metrics")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"));
    }

    /// <summary>Checks every redis_ family against the anchor list and that the ones the flags enable are there.</summary>
    private static List<string> CompareWithAnchor(Exposition ours, string[] enabled, bool withPort = false, bool roleLabel = false)
    {
        var anchor = AnchorFamilies();
        var problems = new List<string>();
        foreach (var (full, family) in ours.Families.Where(f => f.Key.StartsWith("redis_", StringComparison.Ordinal)))
        {
            var name = full["redis_".Length..];
            if (OwnFamilies.Contains(name))
            {
                continue;
            }

            if (!anchor.TryGetValue(name, out var expected) && anchor.FirstOrDefault(a => a.Key.EndsWith('*') && name.StartsWith(a.Key[..^1], StringComparison.Ordinal)) is { Key: not null } pattern)
            {
                expected = pattern.Value;
            }
            else if (expected.Type is null)
            {
                problems.Add($"{full}: not a family of redis_exporter 1.88");
                continue;
            }

            if (expected.Type != family.Type)
            {
                problems.Add($"{full}: type {family.Type}, 1.88 has {expected.Type}");
            }

            var labels = new SortedSet<string>(expected.Labels, StringComparer.Ordinal);
            if (withPort && name == "connected_client_info")
            {
                labels.Add("port");
            }

            if (roleLabel && name is not ("exporter_scrapes_total" or "exporter_scrape_duration_seconds" or "exporter_last_scrape_connect_time_seconds" or "exporter_last_scrape_ping_time_seconds" or "target_scrape_request_errors_total"))
            {
                labels.Add("instance_role");
            }

            if (family.Samples.Count > 0 && !labels.SetEquals(family.LabelNames))
            {
                problems.Add($"{full}: labels {string.Join(",", family.LabelNames)}, 1.88 has {string.Join(",", labels)}");
            }
        }

        // INFO fields come and go with the server's version and state, so only the flag-driven families must be there.
        foreach (var (name, expected) in anchor.Where(a => a.Value.When != "info" && enabled.Contains(a.Value.When) && !NotExpectedHere.ContainsKey(a.Key)))
        {
            if (!ours.Families.ContainsKey("redis_" + name))
            {
                problems.Add($"redis_{name} ({expected.When}): missing");
            }
        }

        return problems;
    }

    [Fact]
    public async Task Single_dash_flags_without_a_listen_address_serve_9121_with_the_families_of_1_88_and_of_debians_1_45()
    {
        using (var probe = new TcpListener(System.Net.IPAddress.Any, 9121))
        {
            try
            {
                probe.Start();
            }
            catch (SocketException)
            {
                Assert.Fail("port 9121 is taken on this machine; this test starts redis_exporter with its default port");
            }
        }

        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "k:1", "10");
        await redis.CliAsync("SET", "k:2", "20");
        await redis.CliAsync("XADD", "events", "*", "a", "1");
        await redis.CliAsync("XGROUP", "CREATE", "events", "workers", "0");
        string[] flags = [$"-redis.addr={redis.Address}", "-check-keys=db0=k:*", "-count-keys=db0=k:*", "-check-streams=db0=ev*", "-check-key-groups=^(k):",
            "-include-system-metrics", "-export-client-list", "-ping-on-connect", "-include-config-metrics", "-log-format=txt"];
        var (process, _) = await StartSymlinkAsync(flags);
        await using (process)
        {
            await process.WaitForPortAsync(9121);
            var text = await GetAsync(9121);
            var ours = Exposition.Parse(text);
            Assert.True(ours.Value("redis_up") == 1, text + process.Output);
            Assert.Equal("ok", (await GetAsync(9121, "/health")).Trim());
            string[] enabled = ["default", "info", "check-keys", "count-keys", "check-streams", "check-key-groups", "include-system-metrics", "export-client-list", "ping-on-connect", "include-config-metrics"];
            var problems = CompareWithAnchor(ours, enabled);
            Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + text);

            // Debian's 1.45 takes the same flags; every family it has, ours has with its type and labels.
            var theirPort = Tools.FreePort();
            await using var theirs = ExternalProcess.Start("prometheus-redis-exporter", [.. flags, $"-web.listen-address=127.0.0.1:{theirPort.ToString(CultureInfo.InvariantCulture)}"]);
            await theirs.WaitForPortAsync(theirPort);
            var their = Exposition.Parse(await GetAsync(theirPort));
            Assert.Equal(1, their.Value("redis_up"));
            var older = new List<string>();
            foreach (var (name, family) in their.Families.Where(f => f.Key.StartsWith("redis_", StringComparison.Ordinal) && !f.Key.StartsWith("redis_exporter_build", StringComparison.Ordinal)))
            {
                if (DroppedSince145.ContainsKey(name))
                {
                    continue;
                }

                if (!ours.Families.TryGetValue(name, out var mine))
                {
                    older.Add($"{name}: missing ({family.Type})");
                }
                else if (family.Samples.Count > 0 && mine.Samples.Count > 0 && !CompatibilityTests.NewerLabels.GetValueOrDefault(name, []).Aggregate(mine.LabelNames, (set, l) => { set.Remove(l); return set; }).SetEquals(family.LabelNames))
                {
                    older.Add($"{name}: labels {string.Join(",", mine.LabelNames)}, 1.45 has {string.Join(",", family.LabelNames)}");
                }
                else if (mine.Type != family.Type && !CompatibilityTests.TypeFromNewerMap.ContainsKey(name))
                {
                    older.Add($"{name}: type {mine.Type}, 1.45 has {family.Type}");
                }
            }

            Assert.True(older.Count == 0, string.Join("\n", older));
        }
    }

    [Fact]
    public async Task REDIS_EXPORTER_variables_alone_configure_the_symlinked_binary()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("XADD", "events", "*", "a", "1");
        await redis.CliAsync("XGROUP", "CREATE", "events", "workers", "0");
        await redis.CliAsync("XREADGROUP", "GROUP", "workers", "alice", "COUNT", "1", "STREAMS", "events", ">");
        var port = Tools.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = redis.Address,
            ["REDIS_EXPORTER_WEB_LISTEN_ADDRESS"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["REDIS_EXPORTER_CHECK_SINGLE_STREAMS"] = "db0=events",
            ["REDIS_EXPORTER_STREAMS_EXCLUDE_CONSUMER_METRICS"] = "true",
            ["REDIS_EXPORTER_EXPORT_CLIENT_LIST"] = "1",
            ["REDIS_EXPORTER_EXPORT_CLIENT_PORT"] = "true",
            ["REDIS_EXPORTER_REDIS_ONLY_METRICS"] = "true",
            ["REDIS_EXPORTER_APPEND_INSTANCE_ROLE_LABEL"] = "true",
            ["REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS"] = "true",
            ["REDIS_EXPORTER_LOG_FORMAT"] = "json",
        };
        var (process, _) = await StartSymlinkAsync([], environment);
        await using (process)
        {
            await process.WaitForPortAsync(port);
            var text = await GetAsync(port);
            var ours = Exposition.Parse(text);
            Assert.True(ours.Value("redis_up", ("instance_role", "master")) == 1, text + process.Output);
            var problems = CompareWithAnchor(ours, ["default", "info", "check-streams", "export-client-list"], withPort: true, roleLabel: true)
                .Where(p => !p.Contains("stream_group_consumer", StringComparison.Ordinal)).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n" + text);
            Assert.False(ours.Families.ContainsKey("redis_stream_group_consumer_messages_pending"));
            Assert.DoesNotContain(ours.Families.Keys, k => k.StartsWith("process_", StringComparison.Ordinal) || k.StartsWith("dotnet_", StringComparison.Ordinal));

            // The one flag that means nothing here says so, once.
            await Task.Delay(200);
            Assert.Single(process.Output.Split('\n'), l => l.Contains("REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS is accepted for compatibility and has no effect", StringComparison.Ordinal));
        }
    }
}
