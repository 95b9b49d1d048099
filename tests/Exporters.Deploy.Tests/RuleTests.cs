using System.Text.RegularExpressions;
using Exporters.TestSupport;
using YamlDotNet.Serialization;
using static Exporters.Deploy.Tests.Kit;

namespace Exporters.Deploy.Tests;

/// <summary>
/// The PrometheusRule resources of deploy/prometheus-rules: promtool accepts them, their unit tests pass (each alert
/// fires on the series that should trigger it, and the neighbour series that should not are in the same input, so
/// an alert on them would fail the case), and every alert documents itself with a runbook section that exists.
/// </summary>
public sealed class RuleTests
{
    private const string RunbookBase = "https://github.com/exporters/exporters/blob/main/docs/runbooks/";

    private static readonly string[] GroupNames = ["exporter", "redis", "elasticsearch", "alertmanager"];

    public static TheoryData<string> Groups() => new(GroupNames);

    /// <summary>A rule group file's spec as promtool reads it, written to <paramref name="directory"/>.</summary>
    internal static string ExtractRules(string group, string directory)
    {
        var resource = ParseDocument(File.ReadAllText(Path.Combine(RulesDirectory, group, "rules.yaml")));
        Assert.Equal("PrometheusRule", Kind(resource));
        var path = Path.Combine(directory, group + ".rules.yml");
        File.WriteAllText(path, new SerializerBuilder().Build().Serialize(resource["spec"]));
        return path;
    }

    internal static IEnumerable<Dictionary<string, object?>> Rules(string group) =>
        List(ParseDocument(File.ReadAllText(Path.Combine(RulesDirectory, group, "rules.yaml"))), "spec", "groups")
            .SelectMany(g => List(g, "rules"))
            .OfType<Dictionary<string, object?>>();

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task Promtool_checks_the_rules_and_their_unit_tests_pass(string group)
    {
        var directory = Tools.TempDirectory("rules");
        var rules = ExtractRules(group, directory);
        var (checkCode, checkOutput) = await RunAsync("promtool", "check", "rules", rules);
        Assert.True(checkCode == 0, checkOutput);
        Assert.Contains($"SUCCESS: {Rules(group).Count()} rules found", checkOutput, StringComparison.Ordinal);

        var test = Path.Combine(directory, group + ".test.yml");
        File.Copy(Path.Combine(RulesDirectory, "tests", group + ".test.yml"), test);
        var (testCode, testOutput) = await RunAsync("promtool", "test", "rules", test);
        Assert.True(testCode == 0, testOutput);
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Every_alert_fires_in_a_unit_test(string group)
    {
        var tests = ParseDocument(File.ReadAllText(Path.Combine(RulesDirectory, "tests", group + ".test.yml")));
        var firing = List(tests, "tests")
            .SelectMany(t => List(t, "alert_rule_test"))
            .Where(c => List(c, "exp_alerts").Count > 0)
            .Select(c => Str(c, "alertname"))
            .ToHashSet(StringComparer.Ordinal);
        var alerts = Rules(group).Select(r => Str(r, "alert")).OfType<string>().ToList();
        Assert.NotEmpty(alerts);
        var untested = alerts.Where(a => !firing.Contains(a)).ToList();
        Assert.True(untested.Count == 0, "no unit test case where these fire: " + string.Join(", ", untested));
    }

    [Fact]
    public async Task A_broken_rule_fails_its_unit_test()
    {
        // The unit tests must be able to fail: an alert whose threshold moved no longer fires where expected.
        var directory = Tools.TempDirectory("rules-broken");
        var rules = ExtractRules("redis", directory);
        var text = await File.ReadAllTextAsync(rules);
        var broken = text.Replace("expr: redis_up == 0", "expr: redis_up == 2", StringComparison.Ordinal);
        Assert.NotEqual(text, broken);
        await File.WriteAllTextAsync(rules, broken);
        File.Copy(Path.Combine(RulesDirectory, "tests", "redis.test.yml"), Path.Combine(directory, "redis.test.yml"));
        var (code, output) = await RunAsync("promtool", "test", "rules", Path.Combine(directory, "redis.test.yml"));
        Assert.NotEqual(0, code);
        Assert.Contains("RedisDown", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void Every_alert_has_a_severity_summary_description_and_an_existing_runbook_section(string group)
    {
        var problems = new List<string>();
        foreach (var rule in Rules(group))
        {
            var alert = Str(rule, "alert");
            Assert.NotNull(alert);
            if (Str(rule, "labels", "severity") is not ("critical" or "warning" or "info"))
            {
                problems.Add($"{alert}: severity should be critical, warning or info");
            }

            foreach (var annotation in new[] { "summary", "description" })
            {
                if (string.IsNullOrWhiteSpace(Str(rule, "annotations", annotation)))
                {
                    problems.Add($"{alert}: no {annotation}");
                }
            }

            var url = Str(rule, "annotations", "runbook_url") ?? string.Empty;
            var match = Regex.Match(url, "^" + Regex.Escape(RunbookBase) + @"([a-z-]+\.md)#([a-z0-9-]+)$");
            if (!match.Success)
            {
                problems.Add($"{alert}: runbook_url '{url}' is not {RunbookBase}<page>.md#<anchor>");
                continue;
            }

            var page = Path.Combine(Runbooks, match.Groups[1].Value);
            var anchors = File.Exists(page)
                ? File.ReadAllLines(page).Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => Anchor(l[3..])).ToHashSet(StringComparer.Ordinal)
                : [];
            if (!anchors.Contains(match.Groups[2].Value))
            {
                problems.Add($"{alert}: docs/runbooks/{match.Groups[1].Value} has no section #{match.Groups[2].Value}");
            }

            if (match.Groups[2].Value != Anchor(alert))
            {
                problems.Add($"{alert}: the runbook anchor should be #{Anchor(alert)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_alerts_users_expect_are_there()
    {
        var alerts = GroupNames.SelectMany(Rules).Select(r => Str(r, "alert")).ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "ExporterDown", "ExporterCollectorFailing", "ExporterConfigReloadFailed",
            "RedisDown", "RedisMetricsAbsent", "RedisMemoryNearMaxmemory", "RedisRejectedConnections", "RedisReplicationLinkDown", "RedisClusterStateNotOk",
            "ElasticsearchDown", "ElasticsearchMetricsAbsent", "ElasticsearchClusterRed", "ElasticsearchClusterYellow", "ElasticsearchHeapHigh",
            "ElasticsearchDiskWatermarkNear", "ElasticsearchUnassignedShards", "ElasticsearchTooFewNodes", "ElasticsearchPendingTasks",
            "AlertmanagerApiDown", "AlertmanagerMetricsAbsent", "AlertmanagerNotificationsFailing", "AlertmanagerClusterPeersMissing",
            "AlertmanagerConfigReloadFailed", "AlertmanagerSilencesExpiringSoon",
        ];
        var missing = expected.Where(a => !alerts.Contains(a)).ToList();
        Assert.True(missing.Count == 0, "missing alerts: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("redis", "exporters-redis")]
    [InlineData("elasticsearch", "exporters-elasticsearch")]
    [InlineData("alertmanager", "exporters-alertmanager")]
    public async Task Each_example_ships_its_collector_s_rules_and_the_host_s(string example, string rule)
    {
        var names = ParseDocuments(await KustomizeAsync(example)).Where(d => Kind(d) == "PrometheusRule").Select(Name).ToList();
        Assert.Contains(rule, names);
        Assert.Contains("exporters-host", names);
    }

    /// <summary>GitHub's anchor for a heading: lowercase, spaces to hyphens, punctuation dropped.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant().Replace(' ', '-'), "[^a-z0-9-]", string.Empty);
}
