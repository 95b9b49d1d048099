using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.SamplePlugin;
using Microsoft.Extensions.Logging;

namespace Exporters.Hosting.Tests;

public class CommandLineTests
{
    private static CollectorRegistry Registry()
    {
        var registry = new CollectorRegistry();
        registry.Add(new SampleCollectorDefinition(), "test");
        return registry;
    }

    private static HostSettings Parse(string[] args, Dictionary<string, string?>? environment = null)
    {
        Assert.Equal(CommandLineAction.Run, CommandLine.Parse(args, environment ?? [], Registry(), out var settings));
        return settings;
    }

    [Fact]
    public void Defaults_follow_exporter_conventions()
    {
        var settings = Parse([]);
        Assert.Equal([":9840"], settings.EffectiveListenAddresses);
        Assert.Equal("/metrics", settings.TelemetryPath);
        Assert.Equal(LogLevel.Information, settings.LogLevel);
        Assert.Equal("logfmt", settings.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.MemoryReleaseInterval.Value);
        Assert.True(Parse(["--memory.release-interval=0s"]).MemoryReleaseInterval.IsZero);
    }

    [Fact]
    public void Flags_take_values_with_equals_or_as_the_next_argument_and_listen_address_repeats()
    {
        var settings = Parse(["--web.listen-address=127.0.0.1:1", "--web.listen-address", ":2", "--web.telemetry-path=/m", "--log.level", "debug", "--log.format=json"]);
        Assert.Equal(["127.0.0.1:1", ":2"], settings.EffectiveListenAddresses);
        Assert.Equal("/m", settings.TelemetryPath);
        Assert.Equal(LogLevel.Debug, settings.LogLevel);
        Assert.Equal("json", settings.LogFormat);
    }

    [Fact]
    public void Every_flag_has_an_environment_variable_and_flags_win()
    {
        var environment = new Dictionary<string, string?>
        {
            ["EXPORTERS_WEB_LISTEN_ADDRESS"] = "127.0.0.1:5,127.0.0.1:6",
            ["EXPORTERS_LOG_LEVEL"] = "warn",
            ["EXPORTERS_CONFIG_FILE"] = "/etc/exporters.yaml",
        };
        var settings = Parse([], environment);
        Assert.Equal(["127.0.0.1:5", "127.0.0.1:6"], settings.EffectiveListenAddresses);
        Assert.Equal(LogLevel.Warning, settings.LogLevel);
        Assert.Equal("/etc/exporters.yaml", settings.ConfigFile);

        Assert.Equal(LogLevel.Error, Parse(["--log.level=error"], environment).LogLevel);
        Assert.Equal(["127.0.0.1:7"], Parse(["--web.listen-address=127.0.0.1:7"], environment).EffectiveListenAddresses);
    }

    [Theory]
    [InlineData("--web.listen-adress=:1", "unknown flag --web.listen-adress")]
    [InlineData("--log.level=loud", "--log.level: 'loud': must be debug, info, warn or error")]
    [InlineData("--web.listen-address=nowhere", "'nowhere' is not host:port")]
    [InlineData("--web.telemetry-path=metrics", "--web.telemetry-path: 'metrics': must start with '/'")]
    [InlineData("--sample.fail=maybe", "'maybe' is not true or false")]
    [InlineData("stray", "unexpected argument 'stray'")]
    [InlineData("--memory.release-interval=often", "--memory.release-interval: 'often'")]
    public void Bad_flags_are_named(string arg, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => CommandLine.Parse([arg], new Dictionary<string, string?>(), Registry(), out _));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_and_version_are_recognised_and_help_lists_collector_flags()
    {
        Assert.Equal(CommandLineAction.Help, CommandLine.Parse(["--help"], new Dictionary<string, string?>(), Registry(), out _));
        Assert.Equal(CommandLineAction.Version, CommandLine.Parse(["--version"], new Dictionary<string, string?>(), Registry(), out _));
        var help = CommandLine.Help(Registry(), "exporters");
        Assert.Contains("--web.listen-address", help, StringComparison.Ordinal);
        Assert.Contains("[EXPORTERS_WEB_LISTEN_ADDRESS]", help, StringComparison.Ordinal);
        Assert.Contains("--sample.address=VALUE", help, StringComparison.Ordinal);
        Assert.Contains("(collectors.sample.address) [SAMPLE_ADDRESS]", help, StringComparison.Ordinal);
    }
}
