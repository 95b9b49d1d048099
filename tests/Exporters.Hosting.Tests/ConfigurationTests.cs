using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.SamplePlugin;
using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

public class ConfigurationTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private static CollectorRegistry Registry()
    {
        var registry = new CollectorRegistry();
        registry.Add(new SampleCollectorDefinition(), "test");
        return registry;
    }

    private static ExporterConfiguration Load(string? yaml, string[]? args = null, Dictionary<string, string?>? environment = null)
    {
        var registry = Registry();
        var argList = new List<string>(args ?? []);
        if (yaml is not null)
        {
            var path = Path.Combine(Tools.TempDirectory("config"), "config.yaml");
            File.WriteAllText(path, yaml);
            argList.Add($"--config.file={path}");
        }

        CommandLine.Parse(argList, environment ?? NoEnvironment, registry, out var settings);
        return ExporterConfiguration.Load(settings, registry, environment ?? NoEnvironment);
    }

    private static string Problems(string? yaml, string[]? args = null) =>
        Assert.Throws<ConfigurationException>(() => Load(yaml, args)).Message;

    [Fact]
    public void Section_key_names_the_collector_and_type_adds_named_instances()
    {
        var configuration = Load("""
            collectors:
              sample:
                address: a:1
              backup:
                type: sample
                address: b:2
                timeout: 1m30s
              off:
                type: sample
                enabled: false
            """);

        Assert.Equal(["backup", "sample"], configuration.Instances.Select(i => i.Name));
        Assert.All(configuration.Instances, i => Assert.Equal("sample", i.Definition.Name));
        Assert.Equal(TimeSpan.FromSeconds(90), configuration.Instances[0].Options.Timeout.Value);
        Assert.Equal("b:2", configuration.Instances[0].Options.GetTarget());
    }

    [Theory]
    [InlineData("collectors: {sample: {adress: x}}", "collectors.sample.adress: unknown key; valid keys here are: address, delay, down, enabled, fail, ignore_deadline, labels, max_series, min_interval, password, series, single_flight, timeout, type")]
    [InlineData("collectors: {sample: {timeout: 5x}}", "collectors.sample.timeout: '5x' is not a duration")]
    [InlineData("collectors: {sample: {series: many}}", "collectors.sample.series:")]
    [InlineData("collectors: {sample: {series: -1}}", "collectors.sample.series: must be between 0 and 1000000")]
    [InlineData("collectors: {redis: {}}", "collectors.redis: no collector is named 'redis'; set 'type' to one of: sample")]
    [InlineData("collectors: {cache: {type: memcache}}", "collectors.cache.type: no collector is named 'memcache'")]
    [InlineData("collectors: {Cache: {type: sample}}", "collectors.Cache: instance names use lowercase")]
    [InlineData("collectors: {sample: {labels: {0bad: x}}}", "collectors.sample.labels.0bad: is not a valid label name")]
    [InlineData("collectors: {sample: {timeout: 0}}", "collectors.sample.timeout: must be above zero")]
    [InlineData("colectors: {}", "colectors: unknown key; valid top-level keys are: collectors, probe")]
    [InlineData("probe: {enabled: true}", "probe.allowed_targets: must list at least one")]
    [InlineData("collectors: {sample: {address: [a, b]}}", "collectors.sample.address: expects a single value")]
    [InlineData("collectors:\n  sample:\n    series: 1\n  sample:\n    series: 2\n", "line 4, column 3: Duplicate key")]
    [InlineData("collectors: {sample: {series: 1}\n", "line 2")]
    public void Invalid_configuration_names_the_key_and_the_problem(string yaml, string expected)
    {
        Assert.Contains(expected, Problems(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var message = Problems("collectors: {sample: {timeout: x}, other: {type: sample, series: -5}}");
        Assert.Contains("collectors.sample.timeout", message, StringComparison.Ordinal);
        Assert.Contains("collectors.other.series", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_overrides_the_file_and_flags_override_the_environment()
    {
        const string yaml = "collectors: {sample: {address: from-file:1, series: 7}}";
        var environment = new Dictionary<string, string?>
        {
            ["EXPORTERS_COLLECTORS__SAMPLE__ADDRESS"] = "from-env:2",
            ["EXPORTERS_COLLECTORS__SAMPLE__TIMEOUT"] = "3s",
            ["SAMPLE_ADDRESS"] = "from-flag-env:3",
        };

        var fromEnvironment = Load(yaml, [], new Dictionary<string, string?> { ["EXPORTERS_COLLECTORS__SAMPLE__ADDRESS"] = "from-env:2", ["EXPORTERS_COLLECTORS__SAMPLE__TIMEOUT"] = "3s" }).Instances.Single();
        Assert.Equal("from-env:2", fromEnvironment.Options.GetTarget());
        Assert.Equal(TimeSpan.FromSeconds(3), fromEnvironment.Options.Timeout.Value);
        Assert.Equal(7, ((SampleOptions)fromEnvironment.Options).Series);

        Assert.Equal("from-flag-env:3", Load(yaml, [], environment).Instances.Single().Options.GetTarget());
        Assert.Equal("from-flag:4", Load(yaml, ["--sample.address=from-flag:4"], environment).Instances.Single().Options.GetTarget());
    }

    [Fact]
    public void A_collector_flag_alone_enables_its_collector()
    {
        var configuration = Load(null, ["--sample.address", "127.0.0.1:7000", "--sample.fail"]);
        var instance = Assert.Single(configuration.Instances);
        Assert.Equal("127.0.0.1:7000", instance.Options.GetTarget());
        Assert.True(((SampleOptions)instance.Options).Fail);
    }

    [Fact]
    public void Collector_switch_flags_follow_node_exporter()
    {
        Assert.Single(Load(null, ["--collector.sample"]).Instances);
        Assert.Empty(Load("collectors: {sample: {}}", ["--no-collector.sample"]).Instances);
    }

    [Fact]
    public void Secrets_of_options_are_collected_for_redaction()
    {
        var instance = Load("collectors: {sample: {password: Pw-123456}}").Instances.Single();
        Assert.Equal(["Pw-123456"], instance.Secrets);
    }

    [Fact]
    public void Several_instances_of_one_collector_get_an_instance_label()
    {
        var configuration = Load("collectors: {a: {type: sample}, b: {type: sample, labels: {collector_instance: bee}}}");
        Assert.Equal("a", configuration.Instances[0].Options.Labels["collector_instance"]);
        Assert.Equal("bee", configuration.Instances[1].Options.Labels["collector_instance"]);
        Assert.Empty(Load("collectors: {a: {type: sample}}").Instances[0].Options.Labels);
    }

    [Fact]
    public void Empty_file_is_a_valid_configuration()
    {
        Assert.Empty(Load(string.Empty).Instances);
        Assert.Empty(Load("# nothing yet\n").Instances);
    }
}
