using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Exporters.Elasticsearch.Tests;
using Exporters.TestSupport;
using static Exporters.Deploy.Tests.Kit;

namespace Exporters.Deploy.Tests;

/// <summary>
/// The whole kit against real servers: redis-server, Alertmanager and the Elasticsearch fixture replay, each with
/// the exporter configured as its example configures it, scraped by a real Prometheus with one job per
/// ServiceMonitor (same path, scheme and params; the interval scaled down so the test is short) and loaded with
/// every PrometheusRule. Every query of every dashboard, with its variables resolved the way Grafana would, must
/// return data, and every alert must parse and evaluate.
/// </summary>
public sealed class EndToEndTests
{
    // Scaled down from the ServiceMonitors' 30s/10s so that rate windows fill within seconds; the ratio stays below 1.
    private const string ScrapeInterval = "3s";
    private const string ScrapeTimeout = "2500ms";

    // What Grafana substitutes for $__rate_interval at this scrape interval is at least four intervals.
    private const string RateInterval = "15s";

    private const string RedisPassword = "s3cret-for-the-test";

    [Fact]
    public async Task Every_dashboard_query_returns_data_and_every_alert_evaluates()
    {
        var directory = Tools.TempDirectory("deploy-e2e");
        var passwordFile = Path.Combine(directory, "redis-password");
        await File.WriteAllTextAsync(passwordFile, RedisPassword);
        var esPasswordFile = Path.Combine(directory, "es-password");
        await File.WriteAllTextAsync(esPasswordFile, "changeme");

        var redisPort = Tools.FreePort();
        await using var redis = ExternalProcess.Start("redis-server",
        [
            "--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory, "--requirepass", RedisPassword, "--maxmemory", "256mb",
        ]);
        await redis.WaitForPortAsync(redisPort);
        await RedisTrafficAsync(redisPort);

        await using var alertmanager = await AlertmanagerServer.StartAsync();
        await alertmanager.PostAlertAsync(TimeSpan.FromMinutes(10), ("alertname", "DiskFull"), ("severity", "critical"), ("cluster", "c1"));
        await alertmanager.PostAlertAsync(TimeSpan.FromMinutes(5), ("alertname", "HighLatency"), ("severity", "warning"), ("cluster", "c2"));
        await alertmanager.AddSilenceAsync("30m", "oncall", "alertname=HighLatency");

        await using var elasticsearch = await EsFixtureServer.StartAsync("es7");

        var targets = new List<Target>();
        try
        {
            targets.Add(await StartAsync("redis", new() { ["redis://localhost:6379"] = $"redis://127.0.0.1:{redisPort}", ["/var/run/secrets/exporters/redis/password"] = passwordFile }, []));
            targets.Add(await StartAsync("elasticsearch", new() { ["http://localhost:9200"] = elasticsearch.Uri, ["/var/run/secrets/exporters/elasticsearch/password"] = esPasswordFile }, new() { ["ES_USERNAME"] = "elastic" }));
            targets.Add(await StartAsync("alertmanager", new() { ["http://localhost:9093"] = alertmanager.Uri }, []));

            var ruleFiles = new[] { "exporter", "redis", "elasticsearch", "alertmanager" }.Select(g => RuleTests.ExtractRules(g, directory)).ToList();
            var prometheusPort = Tools.FreePort();
            var configPath = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, PrometheusConfig(targets, ruleFiles));
            await using var prometheus = ExternalProcess.Start("prometheus",
            [
                "--config.file=" + configPath, "--storage.tsdb.path=" + Path.Combine(directory, "tsdb"),
                $"--web.listen-address=127.0.0.1:{prometheusPort}", "--log.level=warn",
            ]);
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}"), Timeout = TimeSpan.FromSeconds(20) };
            await WaitForPrometheusAsync(prometheus, api, prometheusPort);

            // Dashboards: poll until every query has data (rate windows need a few scrapes), then report what is dead.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            List<string> dead;
            var checkedQueries = 0;
            while (true)
            {
                (dead, checkedQueries) = await DeadQueriesAsync(api);
                if (dead.Count == 0 || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(2000);
            }

            Assert.True(dead.Count == 0, $"dashboard queries without data ({dead.Count} of {checkedQueries}):\n" + string.Join('\n', dead) + "\n\nprometheus:\n" + prometheus.Output);
            Assert.True(checkedQueries > 100, $"only {checkedQueries} queries checked");

            // Targets: what the ServiceMonitor-equivalent jobs scraped is healthy, so the data above is real. A single
            // scrape slowed down by a busy machine is tolerated; a target that never succeeds is not.
            foreach (var metric in new[] { "up", "redis_up", "elasticsearch_up", "alertmanager_api_up", "exporter_collector_success" })
            {
                var query = $"max_over_time({metric}[30s])";
                var result = await QueryAsync(api, query);
                Assert.NotEmpty(result);
                Assert.All(result, s => Assert.True(s.Value == "1", $"{query}{s.Labels} is {s.Value}"));
            }

            // Alerts: every expression parses and evaluates, and Prometheus evaluates every rule without error.
            foreach (var group in new[] { "exporter", "redis", "elasticsearch", "alertmanager" })
            {
                foreach (var rule in RuleTests.Rules(group))
                {
                    var (ok, error) = await EvaluateAsync(api, Str(rule, "expr")!);
                    Assert.True(ok, $"{Str(rule, "alert")}: {error}");
                }
            }

            await AssertRulesEvaluatedAsync(api);
            await AssertAlertSelectorsMatchAsync(api);

            // One alert that must fire here: the test's silence ends within the example's expiry_horizon (2h).
            var firing = await FiringAlertsAsync(api);
            Assert.Contains("AlertmanagerSilencesExpiringSoon", firing);
            Assert.DoesNotContain("RedisDown", firing);
            Assert.DoesNotContain("ExporterCollectorFailing", firing);
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.App.StopAsync();
                await target.App.DisposeAsync();
            }
        }
    }

    private sealed record Target(string Collector, Exporters.Hosting.ExporterApplication App, int Port, Dictionary<string, object?> Monitor, string Namespace, string Service, string Pod);

    /// <summary>Starts the exporter with the example's configuration, pointed at the local server instead of localhost.</summary>
    private static async Task<Target> StartAsync(string collector, Dictionary<string, string> replacements, Dictionary<string, string?> environment)
    {
        var documents = ParseDocuments(await KustomizeAsync(collector));
        var workload = documents.Single(d => Kind(d) is "Deployment" or "StatefulSet");
        var container = ManifestTests.AllContainers(Map(workload, "spec", "template", "spec")).Single(c => Str(c.Container, "name") == "exporter").Container;
        var config = ManifestTests.ConfigFile(container, documents);
        foreach (var (from, to) in replacements)
        {
            Assert.True(config.Contains(from, StringComparison.Ordinal), $"the {collector} example's configuration no longer has {from}; update this test");
            config = config.Replace(from, to, StringComparison.Ordinal);
        }

        var configPath = Path.Combine(Tools.TempDirectory("deploy-e2e-" + collector), "config.yaml");
        await File.WriteAllTextAsync(configPath, config);
        var port = Tools.FreePort();
        var args = List(container, "args").OfType<string>()
            .Where(a => !a.StartsWith("--web.listen-address", StringComparison.Ordinal))
            .Select(a => a.StartsWith("--config.file=", StringComparison.Ordinal) ? "--config.file=" + configPath : a)
            .Append($"--web.listen-address=127.0.0.1:{port}")
            .ToArray();
        var app = StockExporter.Builder(args, environment).Build();
        Assert.Null(app.Output);
        await app.StartAsync();

        var monitor = documents.Single(d => Kind(d) == "ServiceMonitor");
        var service = documents.Single(d => Kind(d) == "Service" && Labels(d).Any(l => l.Key == "exporters/collector"));
        return new Target(collector, app, port, monitor, Str(monitor, "metadata", "namespace")!, Name(service), Name(workload) + "-0");
    }

    private static Dictionary<string, object?> Labels(Dictionary<string, object?> document) => Map(document, "metadata", "labels");

    /// <summary>One job per ServiceMonitor, with the labels Prometheus Operator gives its targets.</summary>
    private static string PrometheusConfig(List<Target> targets, List<string> ruleFiles)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"global:\n  scrape_interval: {ScrapeInterval}\n  scrape_timeout: {ScrapeTimeout}\n  evaluation_interval: {ScrapeInterval}");
        text.AppendLine("rule_files:");
        foreach (var file in ruleFiles)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {file}");
        }

        text.AppendLine("scrape_configs:");
        foreach (var target in targets)
        {
            var endpoint = List(target.Monitor, "spec", "endpoints").OfType<Dictionary<string, object?>>().Single();
            Assert.True(Seconds(Str(endpoint, "scrapeTimeout")!) < Seconds(Str(endpoint, "interval")!));
            text.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {target.Service}");
            text.AppendLine(CultureInfo.InvariantCulture, $"    metrics_path: {Str(endpoint, "path") ?? "/metrics"}");
            text.AppendLine(CultureInfo.InvariantCulture, $"    scheme: {Str(endpoint, "scheme") ?? "http"}");
            var parameters = Map(endpoint, "params");
            if (parameters.Count > 0)
            {
                text.AppendLine("    params:");
                foreach (var (name, values) in parameters)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      {name}: [{string.Join(", ", ((List<object?>)values!).Select(v => $"'{v}'"))}]");
                }
            }

            text.AppendLine("    static_configs:");
            text.AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['127.0.0.1:{target.Port}']");
            text.AppendLine(CultureInfo.InvariantCulture, $"        labels: {{namespace: {target.Namespace}, pod: {target.Pod}, container: exporter, service: {target.Service}, endpoint: {Str(endpoint, "port")}}}");
        }

        return text.ToString();
    }

    private static async Task<(List<string> Dead, int Checked)> DeadQueriesAsync(HttpClient api)
    {
        var dead = new List<string>();
        var count = 0;
        foreach (var name in Dashboard.Names)
        {
            var dashboard = Dashboard.Load(name);
            var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["__rate_interval"] = RateInterval };
            foreach (var variable in dashboard.Variables.Where(v => Dashboard.String(v, "type") == "query"))
            {
                var variableName = Dashboard.String(variable, "name")!;
                var query = variable.GetProperty("query").GetProperty("query").GetString()!;
                var match = Regex.Match(query, @"^label_values\((.+),\s*(\w+)\)$");
                Assert.True(match.Success, $"{name}: variable {variableName}: {query}");
                var result = await QueryAsync(api, $"count by ({match.Groups[2].Value}) ({Substitute(match.Groups[1].Value, values)})");
                count++;
                var value = result.Select(s => s.LabelValue(match.Groups[2].Value)).FirstOrDefault(v => !string.IsNullOrEmpty(v));
                if (value is null)
                {
                    dead.Add($"{name}: variable ${variableName} has no values: {query}");
                    value = "no-value";
                }

                values[variableName] = value;
            }

            foreach (var (panel, expr) in dashboard.Queries)
            {
                var query = Substitute(expr, values);
                count++;
                var (ok, error) = await EvaluateAsync(api, query);
                if (!ok)
                {
                    dead.Add($"{name} / {panel}: {query}: {error}");
                }
                else if ((await QueryAsync(api, query)).Count == 0)
                {
                    dead.Add($"{name} / {panel}: {query}: no data");
                }
            }
        }

        return (dead, count);
    }

    // Like Grafana for multi-value variables: regex metacharacters escaped, and the backslash doubled inside the
    // PromQL string.
    private static string Substitute(string expr, Dictionary<string, string> values) =>
        Regex.Replace(expr, @"\$\{?(\w+)\}?", m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? (m.Groups[1].Value.StartsWith("__", StringComparison.Ordinal) ? value : Regex.Escape(value).Replace("\\", "\\\\", StringComparison.Ordinal))
            : m.Value);

    private sealed record Sample(string Labels, string Value, JsonElement Metric)
    {
        public string? LabelValue(string label) => Metric.TryGetProperty(label, out var value) ? value.GetString() : null;
    }

    private static async Task<List<Sample>> QueryAsync(HttpClient api, string query)
    {
        using var response = await api.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
        {
            return [new Sample(string.Empty, data.GetProperty("result")[1].GetString()!, default)];
        }

        return data.GetProperty("result").EnumerateArray()
            .Select(s => new Sample(s.GetProperty("metric").ToString(), s.GetProperty("value")[1].GetString()!, s.GetProperty("metric").Clone()))
            .ToList();
    }

    private static async Task<(bool Ok, string Error)> EvaluateAsync(HttpClient api, string query)
    {
        using var response = await api.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("status").GetString() == "success" ? (true, string.Empty) : (false, body);
    }

    private static async Task AssertRulesEvaluatedAsync(HttpClient api)
    {
        var expected = new[] { "exporter", "redis", "elasticsearch", "alertmanager" }.Sum(g => RuleTests.Rules(g).Count());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var json = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/v1/rules", UriKind.Relative)));
            var rules = json.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray())
                .Select(r => (Name: r.GetProperty("name").GetString(), Health: r.GetProperty("health").GetString(), Error: Dashboard.String(r, "lastError")))
                .ToList();
            Assert.Equal(expected, rules.Count);
            var bad = rules.Where(r => r.Health == "err").ToList();
            Assert.True(bad.Count == 0, string.Join('\n', bad.Select(r => $"{r.Name}: {r.Error}")));
            if (rules.All(r => r.Health == "ok"))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "rules not evaluated: " + string.Join(", ", rules.Where(r => r.Health != "ok").Select(r => r.Name)));
            await Task.Delay(1000);
        }
    }

    // Series these servers cannot have: replication and cluster state exist only on replicas and cluster nodes.
    private static readonly HashSet<string> AbsentHere = new(StringComparer.Ordinal)
    {
        "redis_master_link_up", "redis_cluster_state", "redis_cluster_slots_fail", "redis_cluster_slots_pfail",
    };

    /// <summary>
    /// Every series selector of every alert matches real series: a misspelt metric or label would leave an alert that
    /// evaluates without error and can never fire.
    /// </summary>
    private static async Task AssertAlertSelectorsMatchAsync(HttpClient api)
    {
        var problems = new List<string>();
        var selectors = 0;
        foreach (var rule in new[] { "exporter", "redis", "elasticsearch", "alertmanager" }.SelectMany(RuleTests.Rules))
        {
            var expr = Str(rule, "expr")!;
            foreach (Match selector in Regex.Matches(expr, @"\b((?:up|redis_|elasticsearch_|alertmanager_|exporter_)[a-z0-9_]*)(\{[^}]*\})?(?!\s*\()"))
            {
                if (AbsentHere.Contains(selector.Groups[1].Value))
                {
                    continue;
                }

                selectors++;
                if ((await QueryAsync(api, $"count({selector.Value})")).Count == 0)
                {
                    problems.Add($"{Str(rule, "alert")}: {selector.Value} matches no series");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(selectors > 30, $"only {selectors} selectors found");
    }

    private static async Task<List<string>> FiringAlertsAsync(HttpClient api)
    {
        using var json = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/v1/alerts", UriKind.Relative)));
        return json.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("state").GetString() == "firing")
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()!)
            .ToList();
    }

    /// <summary>Hits and misses, keys with and without TTL, and an error reply, so every Redis panel has something to show.</summary>
    private static async Task RedisTrafficAsync(int port)
    {
        var cli = ExternalProcess.Start("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), "-a", RedisPassword, "--no-auth-warning"]);
        await using (cli)
        {
            foreach (var command in new[]
            {
                "SET user:1 alice", "SET user:2 bob", "SET session:1 token EX 3600", "GET user:1", "GET user:3", "HSET profile:1 name alice",
                "LPUSH user:1 oops", "SELECT 1", "SET other 1",
            })
            {
                await cli.StandardInput.WriteLineAsync(command);
            }

            cli.StandardInput.Close();
            Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(20)), "redis-cli did not finish");
            await Task.Delay(50);
            Assert.Contains("WRONGTYPE", cli.Output, StringComparison.Ordinal);
        }
    }
}
