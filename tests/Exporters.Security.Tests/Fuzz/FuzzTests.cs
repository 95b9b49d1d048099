using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Alertmanager;
using Exporters.Elasticsearch;
using Exporters.Exposition;
using Exporters.Hosting;
using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Security;
using Exporters.Passthrough;
using Exporters.Redis;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Security.Tests.Fuzz;

[CollectionDefinition(nameof(FuzzCollection), DisableParallelization = true)]
public sealed class FuzzCollection;

/// <summary>
/// Property tests over every parser that reads input from outside the process. Each case must end normally (a
/// collector reports the target down, a configuration loader throws ConfigurationException naming a key), never
/// hang past the deadline, keep allocation bounded, and never produce invalid exposition output.
/// </summary>
[Collection(nameof(FuzzCollection))]
[Trait("Category", "Fuzz")]
public class FuzzTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    // Allocation allowed for one case: the caps below (4 MiB per reply) plus parsing overhead, far under the
    // collectors' defaults, so a parser that buffers without a limit is caught.
    private const long MaxBytesPerCase = 96L * 1024 * 1024;

    [Fact]
    public void Exposition_parser_survives_generated_text_and_openmetrics()
    {
        var random = Fuzz.Random(nameof(Exposition_parser_survives_generated_text_and_openmetrics));
        var parser = new ExpositionParser(maxLineLength: 64 * 1024);
        for (var i = 0; i < Fuzz.Cases(3000); i++)
        {
            var openMetrics = random.Next(2) == 0;
            var document = Encoding.UTF8.GetBytes(Generators.Exposition(random, openMetrics));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sink = new CountingSink();
            var summary = parser.Parse(document, openMetrics ? ExpositionSyntax.OpenMetrics : ExpositionSyntax.Text, sink);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(summary.Families == sink.Families, Fuzz.Describe(i));
            Assert.True(allocated < (1024 * 1024) + (64L * document.Length), $"{Fuzz.Describe(i)}: {allocated} bytes for a {document.Length}-byte document");
        }
    }

    [Fact]
    public Task Redis_collector_survives_generated_replies() =>
        FuzzRedisAsync(nameof(Redis_collector_survives_generated_replies), new Dictionary<string, string?> { ["export_client_list"] = "true" });

    [Fact]
    public Task Redis_key_checks_survive_generated_replies() =>
        FuzzRedisAsync(nameof(Redis_key_checks_survive_generated_replies), new Dictionary<string, string?>
        {
            ["check_keys"] = "db0=a*",
            ["check_single_keys"] = "db0=k",
            ["count_keys"] = "db0=c*",
            ["check_streams"] = "db0=s*",
        });

    [Fact]
    public async Task Elasticsearch_collector_survives_generated_json()
    {
        var random = Fuzz.Random(nameof(Elasticsearch_collector_survives_generated_json));
        var fixtures = Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch");
        var seeds = Directory.EnumerateDirectories(fixtures).ToDictionary(d => Path.GetFileName(d)!, d => Directory.GetFiles(d, "*.json").Select(File.ReadAllText).ToArray(), StringComparer.Ordinal);
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, "{}"));
        await using var harness = CollectorHarness.Create(new ElasticsearchCollectorDefinition(), new Dictionary<string, string?>
        {
            ["uri"] = server.BaseUri.ToString(),
            ["max_response_bytes"] = "4194304",
            ["all_nodes"] = "true",
            ["collectors:indices"] = "true",
            ["collectors:shards"] = "true",
            ["collectors:indices_settings"] = "true",
            ["collectors:indices_mappings"] = "true",
            ["collectors:cluster_settings"] = "true",
            ["collectors:snapshots"] = "true",
            ["collectors:slm"] = "true",
            ["collectors:ilm"] = "true",
            ["collectors:data_stream"] = "true",
            ["collectors:health_report"] = "true",
            ["collectors:aliases"] = "true",
            ["timeout"] = "3s",
        });
        for (var i = 0; i < Fuzz.Cases(150); i++)
        {
            server.Handler = requestLine =>
            {
                var family = EsFixtureFor(requestLine);
                var candidates = family is not null && seeds.TryGetValue(family, out var files) && random.Next(8) != 0 ? files : seeds.Values.SelectMany(f => f).ToArray();
                var body = candidates.Length == 0 ? "{}" : Generators.Json(random, candidates[random.Next(candidates.Length)]);
                return new ScriptedResponse(random.Next(20) == 0 ? 500 : 200, body);
            };
            await ScrapeAsync(harness, i);
        }
    }

    [Fact]
    public async Task Alertmanager_collector_survives_generated_json()
    {
        var random = Fuzz.Random(nameof(Alertmanager_collector_survives_generated_json));
        var fixtures = Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.Alertmanager.Tests", "Fixtures", "newer");
        var seeds = Directory.GetFiles(fixtures, "*.json").ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllText, StringComparer.Ordinal);
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, "[]"));
        await using var harness = CollectorHarness.Create(new AlertmanagerCollectorDefinition(), new Dictionary<string, string?>
        {
            ["uri"] = server.BaseUri.ToString(),
            ["alert_series"] = "true",
            ["silence_series"] = "true",
            ["timeout"] = "3s",
        });
        for (var i = 0; i < Fuzz.Cases(150); i++)
        {
            server.Handler = requestLine =>
            {
                var name = requestLine.Contains("/groups", StringComparison.Ordinal) ? "groups"
                    : requestLine.Contains("/alerts", StringComparison.Ordinal) ? "alerts"
                    : requestLine.Contains("/silences", StringComparison.Ordinal) ? "silences"
                    : requestLine.Contains("/receivers", StringComparison.Ordinal) ? "receivers" : "status";
                var seed = seeds.TryGetValue(name, out var text) && random.Next(8) != 0 ? text : seeds.Values.ElementAt(random.Next(seeds.Count));
                return new ScriptedResponse(random.Next(20) == 0 ? 503 : 200, Generators.Json(random, seed));
            };
            await ScrapeAsync(harness, i);
        }
    }

    [Fact]
    public async Task Passthrough_collector_survives_generated_exposition()
    {
        var random = Fuzz.Random(nameof(Passthrough_collector_survives_generated_exposition));
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, string.Empty));
        await using var harness = CollectorHarness.Create(new PassthroughCollectorDefinition(), new Dictionary<string, string?>
        {
            ["uri"] = server.BaseUri + "metrics",
            ["timeout"] = "3s",
        });
        for (var i = 0; i < Fuzz.Cases(150); i++)
        {
            var openMetrics = random.Next(2) == 0;
            var body = Generators.Exposition(random, openMetrics);
            server.Handler = _ => new ScriptedResponse(200, body, openMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4");
            await ScrapeAsync(harness, i);
        }
    }

    [Fact]
    public void Yaml_configuration_loader_only_reports_configuration_errors()
    {
        var random = Fuzz.Random(nameof(Yaml_configuration_loader_only_reports_configuration_errors));
        var registry = new CollectorRegistry();
        foreach (var definition in StockExporter.Definitions())
        {
            registry.Add(definition, "built-in");
        }

        string[] keys = ["collectors", "probe", "redis", "elasticsearch", "alertmanager", "passthrough", "type", "address", "uri", "timeout", "enabled",
            "labels", "password", "password_file", "max_series", "min_interval", "allowed_targets", "tls", "ca_file", "check_keys", "collectors", "indices", "series_limit"];
        var directory = Tools.TempDirectory("fuzz-yaml");
        var path = Path.Combine(directory, "config.yaml");
        var settings = new HostSettings { ConfigFile = path };
        var cases = new List<string>
        {
            new string('[', 5000) + new string(']', 5000),
            "collectors:\n  redis:\n    labels: " + new string('{', 3000),
        };
        for (var i = 0; i < Fuzz.Cases(300); i++)
        {
            cases.Add(Generators.Yaml(random, keys));
        }

        for (var i = 0; i < cases.Count; i++)
        {
            File.WriteAllText(path, cases[i]);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = ExporterConfiguration.Load(settings, registry, new Dictionary<string, string?>());
            }
            catch (ConfigurationException e)
            {
                Assert.True(e.Problems.Count > 0 && e.Problems.All(p => p.Length > 0), Fuzz.Describe(i));
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < MaxBytesPerCase, $"{Fuzz.Describe(i)}: {allocated} bytes for:\n{cases[i][..Math.Min(500, cases[i].Length)]}");
        }
    }

    [Fact]
    public async Task Yaml_alias_expansion_is_bounded()
    {
        var registry = new CollectorRegistry();
        foreach (var definition in StockExporter.Definitions())
        {
            registry.Add(definition, "built-in");
        }

        var path = Path.Combine(Tools.TempDirectory("fuzz-laughs"), "config.yaml");
        File.WriteAllText(path, BillionLaughs());
        var load = Task.Run(() => Assert.Throws<ConfigurationException>(() => ExporterConfiguration.Load(new HostSettings { ConfigFile = path }, registry, new Dictionary<string, string?>())));
        Assert.True(await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(30))) == load, "loading a document of nested aliases did not finish");
        await load;
    }

    [Fact]
    public void Web_config_refuses_deep_nesting_and_alias_expansion()
    {
        foreach (var yaml in new[] { "basic_auth_users: " + new string('[', 100_000), BillionLaughs(), "tls_server_config: *missing\n" })
        {
            Assert.Throws<ConfigurationException>(() => WebConfigLoader.Parse(yaml, "/tmp", checkFiles: false));
        }
    }

    [Fact]
    public void Web_config_loader_only_reports_configuration_errors()
    {
        var random = Fuzz.Random(nameof(Web_config_loader_only_reports_configuration_errors));
        string[] keys = ["tls_server_config", "http_server_config", "basic_auth_users", "cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "cipher_suites", "curve_preferences", "client_allowed_sans", "http2", "headers", "X-Frame-Options", "admin", "prefer_server_cipher_suites"];
        for (var i = 0; i < Fuzz.Cases(1000); i++)
        {
            var yaml = Generators.Yaml(random, keys);
            try
            {
                _ = WebConfigLoader.Parse(yaml, "/nonexistent", checkFiles: random.Next(2) == 0);
            }
            catch (ConfigurationException e)
            {
                Assert.True(e.Problems.All(p => p.StartsWith("--web.config.file", StringComparison.Ordinal)), $"{Fuzz.Describe(i)}: {e.Message}");
            }
        }
    }

    [Fact]
    public async Task A_reply_over_the_size_cap_is_rejected_not_buffered()
    {
        await using var redis = new FuzzRedisServer { HugeInfoBytes = 512L * 1024 * 1024 };
        redis.Reply = command => command == "HELLO" ? "-ERR unknown command\r\n" : "+OK\r\n";
        await using (var harness = CollectorHarness.Create(new RedisCollectorDefinition(), new Dictionary<string, string?> { ["address"] = $"redis://127.0.0.1:{redis.Port}", ["max_reply_bytes"] = "1048576", ["timeout"] = "10s" }))
        {
            var (text, allocated) = await MeasuredScrapeAsync(harness, TimeSpan.FromSeconds(10));
            Assert.Contains("redis_up 0", text, StringComparison.Ordinal);
            Assert.True(allocated < 64L * 1024 * 1024, $"{allocated} bytes allocated for a 512 MiB reply capped at 1 MiB");
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                _ = await stream.ReadAtLeastAsync(new byte[8192], 1, throwOnEndOfStream: false, stop.Token);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"nodes\":{\"n1\":{\"name\":\""u8.ToArray(), stop.Token);
                var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
                try
                {
                    for (var i = 0; i < 8192 && !stop.IsCancellationRequested; i++)
                    {
                        await stream.WriteAsync(chunk, stop.Token);
                    }
                }
                catch (IOException)
                {
                }
            }
        });
        await using (var harness = CollectorHarness.Create(new ElasticsearchCollectorDefinition(), new Dictionary<string, string?> { ["uri"] = $"http://127.0.0.1:{port}", ["max_response_bytes"] = "1048576", ["timeout"] = "10s" }))
        {
            var (text, allocated) = await MeasuredScrapeAsync(harness, TimeSpan.FromSeconds(10));
            Assert.True(text.Contains("elasticsearch_scrape_success{collector=\"nodes\"} 0", StringComparison.Ordinal), text);
            Assert.True(allocated < 64L * 1024 * 1024, $"{allocated} bytes allocated for a 512 MiB response capped at 1 MiB");
        }

        await stop.CancelAsync();
        listener.Stop();
        await Task.WhenAny(serving, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Nine levels of ten aliases each: 10^9 scalars when expanded.</summary>
    private static string BillionLaughs()
    {
        var text = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (var n = 1; n <= 9; n++)
        {
            var previous = (char)('a' + n - 1);
            text.Append(CultureInfo.InvariantCulture, $"{(char)('a' + n)}: &{(char)('a' + n)} [{string.Join(",", Enumerable.Repeat("*" + previous, 10))}]\n");
        }

        return text.ToString();
    }

    private static async Task FuzzRedisAsync(string test, Dictionary<string, string?> extra)
    {
        var random = Fuzz.Random(test);
        await using var server = new FuzzRedisServer();
        var settings = new Dictionary<string, string?>(extra)
        {
            ["address"] = $"redis://127.0.0.1:{server.Port}",
            ["max_reply_bytes"] = "4194304",
            ["timeout"] = "3s",
        };
        await using var harness = CollectorHarness.Create(new RedisCollectorDefinition(), settings);
        for (var i = 0; i < Fuzz.Cases(150); i++)
        {
            var wellFramed = random.Next(3) != 0;
            server.Reply = command => random.Next(40) == 0 ? null : command switch
            {
                "INFO" when wellFramed => Generators.Bulk(random, Generators.InfoText(random)),
                "HELLO" or "AUTH" or "SELECT" or "CLIENT" when random.Next(2) == 0 => "+OK\r\n",
                _ => Generators.Resp(random),
            };
            await ScrapeAsync(harness, i);
        }
    }

    private static async Task<(string Text, long Allocated)> MeasuredScrapeAsync(CollectorHarness harness, TimeSpan timeout)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var writer = await harness.ScrapeAsync(timeout);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return (CollectorHarness.Render(writer.Batch), allocated);
    }

    private static async Task ScrapeAsync(CollectorHarness harness, int @case)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        MetricWriter writer;
        try
        {
            // The harness fails with TimeoutException when the collector does not return within a second of the deadline.
            writer = await harness.ScrapeAsync(Deadline);
        }
        catch (Exception e)
        {
            Assert.Fail($"{Fuzz.Describe(@case)}: {e.GetType().Name} escaped the collector: {e}");
            return;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < MaxBytesPerCase, $"{Fuzz.Describe(@case)}: {allocated} bytes allocated");
        var problems = OpenMetricsValidator.Validate(CollectorHarness.Render(writer.Batch, ExpositionFormat.OpenMetrics));
        Assert.True(problems.Count == 0, $"{Fuzz.Describe(@case)}: invalid output: {string.Join("; ", problems)}");
    }

    private static string? EsFixtureFor(string requestLine) =>
        requestLine.Contains("/_nodes", StringComparison.Ordinal) ? "nodestats"
        : requestLine.Contains("/_cluster/health", StringComparison.Ordinal) ? "clusterhealth"
        : requestLine.Contains("/_cluster/settings", StringComparison.Ordinal) ? "settings"
        : requestLine.Contains("/_cat/shards", StringComparison.Ordinal) ? "shards"
        : requestLine.Contains("/_snapshot", StringComparison.Ordinal) ? "snapshots"
        : requestLine.Contains("/_slm", StringComparison.Ordinal) ? "slm"
        : requestLine.Contains("/_ilm/status", StringComparison.Ordinal) ? "ilm_status"
        : requestLine.Contains("/_ilm", StringComparison.Ordinal) ? "ilm_indices"
        : requestLine.Contains("/_data_stream", StringComparison.Ordinal) ? "datastream"
        : requestLine.Contains("/_health_report", StringComparison.Ordinal) ? "healthreport"
        : requestLine.Contains("/_mapping", StringComparison.Ordinal) ? "indices_mappings"
        : requestLine.Contains("/_settings", StringComparison.Ordinal) ? "indices_settings"
        : requestLine.Contains("/_stats", StringComparison.Ordinal) ? "indices"
        : requestLine.StartsWith("GET / ", StringComparison.Ordinal) ? "clusterinfo" : null;

    private sealed class CountingSink : IFamilySink
    {
        public int Families { get; private set; }

        public void OnFamily(ParsedFamily family) => Families++;

        public void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line)
        {
        }
    }
}
