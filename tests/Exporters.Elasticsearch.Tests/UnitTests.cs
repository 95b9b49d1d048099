using System.Text;
using System.Text.Json;
using Exporters.Abstractions.Metrics;
using Exporters.TestSupport;
using Exporters.Testing;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

public sealed class StreamingTests
{
    /// <summary>Hands out a few bytes per read, so every entry straddles buffer refills.</summary>
    private sealed class TrickleStream(byte[] data, int step) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(step, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Entries_are_the_same_whatever_the_chunking(int step)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "indices", "7.17.3.json"));
        using var whole = JsonDocument.Parse(bytes);
        var expected = whole.RootElement.GetProperty("indices").EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())).ToList();
        var seen = new List<(string, string)>();
        var top = new List<string>();
        await JsonEntryStream.ReadAsync(new TrickleStream(bytes, step), "indices", (k, v) => seen.Add((k!, v.GetRawText())), (k, _) => top.Add(k!), 1 << 20, CancellationToken.None);
        Assert.Equal(expected, seen);
        Assert.Equal(["_shards", "_all"], top);
    }

    [Fact]
    public async Task Root_array_rows_are_entries()
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Tools.SharedDirectory(), "fixtures", "elasticsearch", "shards", "7.15.0.json"));
        var rows = 0;
        await JsonEntryStream.ReadAsync(new TrickleStream(bytes, 3), null, (_, _) => rows++, null, 1 << 20, CancellationToken.None);
        Assert.Equal(5, rows);
    }

    [Theory]
    [InlineData("{\"indices\":{\"a\":{\"x\":1},\"b\":{\"x\"")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task Truncated_or_invalid_input_throws(string text)
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => JsonEntryStream.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "indices", (_, _) => { }, null, 1 << 20, CancellationToken.None));
    }

    [Fact]
    public async Task An_entry_larger_than_the_limit_throws()
    {
        var text = "{\"indices\":{\"a\":{\"x\":\"" + new string('y', 300_000) + "\"}}}";
        var e = await Assert.ThrowsAnyAsync<JsonException>(() => JsonEntryStream.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), "indices", (_, _) => { }, null, 128 * 1024, CancellationToken.None));
        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
    }
}

public sealed class IndexFilterTests
{
    [Theory]
    [InlineData("logs-*", "logs-2024", true)]
    [InlineData("logs-*", "metrics", false)]
    [InlineData("l?gs", "logs", true)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    public void Wildcards(string pattern, string text, bool matches) => Assert.Equal(matches, IndexFilter.Wildcard(pattern, text));

    [Fact]
    public void System_indices_are_excluded_unless_asked_for()
    {
        Assert.False(new IndexFilter(new ElasticsearchIndexFilterOptions()).Matches(".geoip_databases"));
        Assert.True(new IndexFilter(new ElasticsearchIndexFilterOptions { IncludeSystem = true }).Matches(".geoip_databases"));
        Assert.True(new IndexFilter(new ElasticsearchIndexFilterOptions { Include = [".geo*"] }).Matches(".geoip_databases"));
        Assert.False(new IndexFilter(new ElasticsearchIndexFilterOptions { Include = ["foo*"], Exclude = ["foo_2"] }).Matches("foo_2"));
        Assert.True(new IndexFilter(new ElasticsearchIndexFilterOptions { Include = ["foo*"], Exclude = ["foo_2"] }).Matches("foo_1"));
    }

    [Fact]
    public async Task The_cap_is_reported_in_elasticsearch_indices_omitted()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new()
        {
            ["uri"] = server.Uri,
            ["collectors:indices"] = "true",
            ["index_filter:max_indices"] = "2",
            ["index_filter:include_system"] = "true",
        });
        await using var _ = harness;
        Assert.Equal(2, TestSupport.Value(text, "elasticsearch_indices_omitted{cluster=\"docker-cluster\"}"));
        Assert.Equal(2, TestSupport.Value(text, "elasticsearch_indices_reported{cluster=\"docker-cluster\"}"));
        Assert.Equal(2, text.Split('\n').Count(l => l.StartsWith("elasticsearch_indices_docs_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Include_patterns_limit_the_index_families()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["collectors:indices"] = "true", ["index_filter:include:0"] = "foo_1" });
        Assert.True(text.Contains("index=\"foo_1\"", StringComparison.Ordinal), string.Join("\n", harness.Logger.Lines) + text[..Math.Min(3000, text.Length)]);
        await using var _ = harness;
        Assert.Contains("elasticsearch_indices_docs_total{cluster=\"docker-cluster\",index=\"foo_1\"} ", text, StringComparison.Ordinal);
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_indices_reported{cluster=\"docker-cluster\"}"));
        Assert.DoesNotContain("index=\"foo_2\"", text, StringComparison.Ordinal);
        Assert.Empty(harness.Logger.Lines);
    }
}

public sealed class AuthTests
{
    private static async Task<string?> CapturedAuthorizationAsync(Dictionary<string, string?> settings, Func<EsFixtureServer, string>? probeTarget = null)
    {
        string? seen = null;
        var overrides = new Dictionary<string, RequestDelegate>
        {
            ["/"] = async context =>
            {
                seen = context.Request.Headers.Authorization.ToString();
                await EsFixtureServer.Body("{\"cluster_name\":\"c\",\"version\":{\"number\":\"8.0.0\"}}")(context);
            },
        };
        await using var server = await EsFixtureServer.StartAsync("es7", overrides);
        var resolved = settings.ToDictionary(kv => kv.Key, kv => kv.Value?.Replace("{uri}", server.Uri, StringComparison.Ordinal).Replace("{host}", $"127.0.0.1:{server.Port}", StringComparison.Ordinal));
        await using var harness = CollectorHarness.Create(TestSupport.Definition, resolved);
        await harness.ScrapeAsync(target: probeTarget?.Invoke(server));
        return seen;
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    [Fact]
    public async Task Basic_auth_in_the_uri_with_special_characters_is_decoded()
    {
        var header = await CapturedAuthorizationAsync(new() { ["uri"] = "http://elastic:p%40ss%3Aw%2Frd%25@{host}" });
        Assert.Equal(Basic("elastic", "p@ss:w/rd%"), header);
    }

    [Fact]
    public async Task Username_and_password_file_are_used()
    {
        var dir = Tools.TempDirectory("es-auth");
        var file = Path.Combine(dir, "password");
        await File.WriteAllTextAsync(file, "s3cr:t@#\n");
        var header = await CapturedAuthorizationAsync(new() { ["uri"] = "{uri}", ["username"] = "monitor", ["password_file"] = file });
        Assert.Equal(Basic("monitor", "s3cr:t@#"), header);
    }

    [Fact]
    public async Task Api_key_and_bearer_token_are_sent()
    {
        Assert.Equal("ApiKey abc123==", await CapturedAuthorizationAsync(new() { ["uri"] = "{uri}", ["api_key"] = "abc123==" }));
        Assert.Equal("Bearer tok", await CapturedAuthorizationAsync(new() { ["uri"] = "{uri}", ["bearer_token"] = "tok" }));
    }

    [Fact]
    public async Task Configured_credentials_are_not_sent_to_another_probe_target()
    {
        var header = await CapturedAuthorizationAsync(new() { ["uri"] = "http://127.0.0.1:1", ["api_key"] = "secret" }, s => s.Uri);
        Assert.True(string.IsNullOrEmpty(header), header);
    }

    [Fact]
    public async Task Secrets_never_appear_in_log_lines()
    {
        var port = Tools.FreePort();
        var (_, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = $"http://elastic:hunter2@127.0.0.1:{port}", ["api_key"] = "topsecretkey" });
        await using var _ = harness;
        Assert.NotEmpty(harness.Logger.Lines);
        Assert.DoesNotContain(harness.Logger.Lines, l => l.Contains("hunter2", StringComparison.Ordinal) || l.Contains("topsecretkey", StringComparison.Ordinal));
    }
}

public sealed class DefinitionTests
{
    [Fact]
    public void Every_node_stats_family_of_the_anchor_table_is_declared_with_the_same_type_and_labels()
    {
        var declared = ElasticsearchCollector.AllFamilies.ToDictionary(f => f.Definition.Name, f => f.Definition);
        var rows = File.ReadAllLines(Path.Combine(Tools.SharedDirectory(), "reference", "elasticsearch-node-stats-metrics.tsv")).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.True(rows.Count >= 120);
        var problems = new List<string>();
        foreach (var row in rows)
        {
            var cells = row.Split('\t');
            var labels = string.Join(',', System.Text.RegularExpressions.Regex.Replace(cells[2], @"\s*\([^)]*\)", string.Empty).Split(',').Order(StringComparer.Ordinal));
            if (!declared.TryGetValue(cells[0], out var definition))
            {
                problems.Add(cells[0] + ": not declared");
                continue;
            }

            var type = definition.Type == MetricType.Counter ? "counter" : "gauge";
            if (type != cells[1])
            {
                problems.Add($"{cells[0]}: {type}, table says {cells[1]}");
            }

            var mine = string.Join(',', definition.LabelNames.Order(StringComparer.Ordinal));
            if (mine != labels)
            {
                problems.Add($"{cells[0]}: labels {mine}, table says {labels}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Drop_in_flags_are_declared()
    {
        var flags = TestSupport.Definition.Flags.ToDictionary(f => f.Name);
        foreach (var name in new[] { "es.uri", "es.timeout", "es.all", "es.node", "es.indices", "es.indices_settings", "es.indices_mappings", "es.aliases", "es.shards", "es.ca", "es.client-cert", "es.client-private-key", "es.ssl-skip-verify" })
        {
            Assert.True(flags.ContainsKey(name), name);
        }

        Assert.Equal("ES_USERNAME", flags["es.username"].EnvironmentVariable);
        Assert.Equal("ES_PASSWORD", flags["es.password"].EnvironmentVariable);
        Assert.Equal("ES_API_KEY", flags["es.api-key"].EnvironmentVariable);
        foreach (var (label, key, _) in ElasticsearchCollectorDefinition.SubCollectors)
        {
            var flag = flags["collector." + label];
            Assert.True(flag.IsSwitch);
            Assert.Equal(key, flag.OptionKey);
        }
    }

    [Fact]
    public void Every_flag_option_key_binds()
    {
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = Elasticsearch.Aws.AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = "secret", ["AWS_REGION"] = "eu-west-1" }) };
        foreach (var flag in definition.Flags)
        {
            var value = flag.IsSwitch ? "true" : flag.OptionKey switch
            {
                "request_timeout" or "clusterinfo_interval" => "3s",
                "uri" => "http://localhost:9200",
                "aws.region" => "eu-west-1",
                "aws.role_arn" => "arn:aws:iam::123456789012:role/monitoring",
                _ => "x",
            };
            if (flag.OptionKey.StartsWith("tls.", StringComparison.Ordinal) && !flag.IsSwitch)
            {
                continue;
            }

            var (_, errors) = CollectorHarness.BindOptions(definition, new Dictionary<string, string?> { [flag.OptionKey.Replace('.', ':')] = value });
            Assert.False(errors.HasErrors, flag.Name + ": " + string.Join("; ", errors.Errors));
        }
    }

    [Theory]
    [InlineData("uri", "ftp://x", "uri")]
    [InlineData("tls:cert_file", "/nonexistent.pem", "tls.cert_file")]
    [InlineData("max_response_bytes", "10", "max_response_bytes")]
    [InlineData("index_filter:max_indices", "-1", "index_filter.max_indices")]
    public void Invalid_options_name_their_key(string key, string value, string reported)
    {
        var (_, errors) = CollectorHarness.BindOptions(TestSupport.Definition, new Dictionary<string, string?> { [key] = value });
        Assert.Contains(errors.Errors, e => e.Key == reported);
    }
}
