using Exporters.Abstractions;
using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.SamplePlugin;
using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

/// <summary>A drop-in profile: started under another exporter's name, the host takes that exporter's conventions.</summary>
public class ProfileTests
{
    private static readonly ExporterProfile Profile = new("sample_exporter", ":9999")
    {
        Description = "flags of sample_exporter",
        Collectors = ["sample"],
        SingleDashFlags = true,
        EnvironmentPrefixes = ["SAMPLE_EXPORTER_"],
        HealthPaths = ["/health"],
        HostFlags =
        [
            new("web.listen-address", "web.listen-address", "SAMPLE_EXPORTER_WEB_LISTEN_ADDRESS", "Listen address."),
            new("log-format", "log.format", "SAMPLE_EXPORTER_LOG_FORMAT", "txt or json.") { Values = new Dictionary<string, string>(StringComparer.Ordinal) { ["txt"] = "logfmt" } },
            new("debug", "log.level", "SAMPLE_EXPORTER_DEBUG", "Debug logs.") { IsSwitch = true, SwitchValue = "debug" },
            new("sample-only-metrics", "web.disable-exporter-metrics", null, "Only sample metrics.") { IsSwitch = true },
        ],
        IgnoredFlags = [new("include-go-runtime-metrics", "SAMPLE_EXPORTER_INCL_GO", "not a Go program", IsSwitch: true), new("go-gc-percent", null, "no Go collector")],
    };

    private static CollectorRegistry Registry()
    {
        var registry = new CollectorRegistry();
        registry.Add(new SampleCollectorDefinition(), "test");
        registry.Add(new OtherDefinition(), "test");
        return registry;
    }

    private static HostSettings Parse(string[] args, Dictionary<string, string?>? environment = null, ExporterProfile? profile = null)
    {
        Assert.Equal(CommandLineAction.Run, CommandLine.Parse(args, environment ?? [], Registry(), profile ?? Profile, out var settings));
        return settings;
    }

    [Fact]
    public void The_profile_sets_the_default_port_and_runs_its_collectors_without_flags()
    {
        var settings = Parse([]);
        Assert.Equal([":9999"], settings.EffectiveListenAddresses);
        Assert.Equal("true", settings.CollectorDefaults["collectors:sample:enabled"]);
        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void Go_style_single_dash_flags_read_like_double_dash_ones()
    {
        var settings = Parse(["-web.listen-address=127.0.0.1:7", "-sample.address", "a:1", "-debug", "-log-format=txt"]);
        Assert.Equal(["127.0.0.1:7"], settings.EffectiveListenAddresses);
        Assert.Equal("a:1", settings.CollectorOverrides["collectors:sample:address"]);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, settings.LogLevel);
        Assert.Equal("logfmt", settings.LogFormat);
    }

    [Fact]
    public void The_profiles_environment_variables_set_host_settings_and_flags_still_win()
    {
        var environment = new Dictionary<string, string?> { ["SAMPLE_EXPORTER_WEB_LISTEN_ADDRESS"] = ":5", ["SAMPLE_EXPORTER_DEBUG"] = "true", ["SAMPLE_EXPORTER_LOG_FORMAT"] = "json" };
        var settings = Parse([], environment);
        Assert.Equal([":5"], settings.EffectiveListenAddresses);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, settings.LogLevel);
        Assert.Equal("json", settings.LogFormat);
        Assert.Equal([":6"], Parse(["--web.listen-address=:6"], environment).EffectiveListenAddresses);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, Parse(["-debug=false"]).LogLevel);
    }

    [Fact]
    public void A_switch_alias_of_a_host_switch_sets_it()
    {
        Assert.True(Parse(["-sample-only-metrics"]).DisableExporterMetrics);
        Assert.False(Parse(["-sample-only-metrics=false"]).DisableExporterMetrics);
    }

    [Fact]
    public void Flags_that_mean_nothing_here_are_accepted_with_one_warning_each()
    {
        var settings = Parse(["-include-go-runtime-metrics", "--go-gc-percent", "50", "-sample.address=b:2"], new() { ["SAMPLE_EXPORTER_INCL_GO"] = "true" });
        Assert.Equal("b:2", settings.CollectorOverrides["collectors:sample:address"]);
        Assert.Equal(3, settings.Warnings.Count);
        Assert.Contains(settings.Warnings, w => w.StartsWith("--include-go-runtime-metrics is accepted for compatibility and has no effect: not a Go program", StringComparison.Ordinal));
        Assert.Contains(settings.Warnings, w => w.StartsWith("SAMPLE_EXPORTER_INCL_GO is accepted", StringComparison.Ordinal));
        Assert.Contains(settings.Warnings, w => w.StartsWith("--go-gc-percent is accepted", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_variable_with_the_profiles_prefix_gets_a_warning_instead_of_silence()
    {
        var settings = Parse([], new() { ["SAMPLE_EXPORTER_WEB_LISTEN_ADDRESS"] = ":5", ["SAMPLE_EXPORTER_IS_CLUSTR"] = "true" });
        Assert.Equal("SAMPLE_EXPORTER_IS_CLUSTR is not a setting of sample_exporter and is ignored", Assert.Single(settings.Warnings));
    }

    [Fact]
    public void Other_collectors_flags_do_not_exist_under_a_profile_but_do_without_one()
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(["--other.uri=x"]));
        Assert.Contains("unknown flag --other.uri", error.Message, StringComparison.Ordinal);
        Assert.Equal(CommandLineAction.Run, CommandLine.Parse(["--other.uri=x"], new Dictionary<string, string?>(), Registry(), out _));
    }

    [Fact]
    public void Single_dash_flags_stay_errors_without_a_profile_that_allows_them()
    {
        var error = Assert.Throws<ConfigurationException>(() => CommandLine.Parse(["-sample.address=x"], new Dictionary<string, string?>(), Registry(), out _));
        Assert.Contains("unexpected argument '-sample.address=x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_under_a_profile_lists_its_flags_with_their_variables()
    {
        var help = CommandLine.Help(Registry(), "sample_exporter", Profile);
        Assert.StartsWith("usage: sample_exporter [flags]", help, StringComparison.Ordinal);
        Assert.Contains("Started as sample_exporter: flags of sample_exporter. It listens on :9999", help, StringComparison.Ordinal);
        Assert.Contains("--log-format=VALUE", help, StringComparison.Ordinal);
        Assert.Contains("[SAMPLE_EXPORTER_LOG_FORMAT]", help, StringComparison.Ordinal);
        Assert.Contains("--include-go-runtime-metrics", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--other.uri", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_under_the_profiles_name_the_host_serves_its_health_path_and_hides_its_own_families()
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"-web.listen-address=127.0.0.1:{port}", "-sample-only-metrics"], null, [new SampleCollectorDefinition()]);
        builder.ProgramName = "sample_exporter";
        builder.AddProfile(Profile);
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal("ok\n", await client.GetStringAsync(new Uri("/health", UriKind.Relative)));
            var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains("sample_up 1", metrics, StringComparison.Ordinal);
            Assert.Contains("exporter_collector_success{collector=\"sample\"} 1", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("process_resident_memory_bytes", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Under_its_own_name_the_host_ignores_the_profile()
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"--web.listen-address=127.0.0.1:{port}", "--sample.address=a:1"], null, [new SampleCollectorDefinition()]);
        builder.AddProfile(Profile);
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, health.StatusCode);
            Assert.Contains("process_resident_memory_bytes", await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void A_profile_takes_its_exporters_file_sections_and_its_collector_defaults()
    {
        var profile = new ExporterProfile("sample_exporter", ":9999")
        {
            Collectors = ["sample"],
            CollectorDefaults = new Dictionary<string, string>(StringComparer.Ordinal) { ["collectors.sample.address"] = "default:1" },
            ConfigurationSections = new Dictionary<string, string>(StringComparer.Ordinal) { ["extra_labels"] = "collectors.sample.labels" },
        };
        var path = Path.Combine(Tools.TempDirectory("profile-config"), "exporter.yml");
        File.WriteAllText(path, "extra_labels:\n  team: search\n");

        var configuration = ExporterConfiguration.Load(Parse([$"--config.file={path}"], profile: profile), Registry(), new Dictionary<string, string?>());
        var options = (SampleOptions)configuration.Instances.Single(i => i.Name == "sample").Options;
        Assert.Equal("default:1", options.Address);
        Assert.Equal("search", options.Labels["team"]);

        // A flag still wins over the profile's default.
        var flagged = ExporterConfiguration.Load(Parse([$"--config.file={path}", "--sample.address=b:2"], profile: profile), Registry(), new Dictionary<string, string?>());
        Assert.Equal("b:2", ((SampleOptions)flagged.Instances.Single().Options).Address);

        // Under the host's own name the section is an unknown key.
        CommandLine.Parse([$"--config.file={path}"], new Dictionary<string, string?>(), Registry(), out var plain);
        var error = Assert.Throws<ConfigurationException>(() => ExporterConfiguration.Load(plain, Registry(), new Dictionary<string, string?>()));
        Assert.Contains("extra_labels: unknown key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_output_goes_to_stdout_or_stderr()
    {
        Assert.Equal("stderr", Parse([]).LogOutput);
        Assert.Equal("stdout", Parse(["--log.output=stdout"]).LogOutput);
        Assert.Equal("stderr", Parse(["--log.output=STDERR"]).LogOutput);
        Assert.Equal("stdout", Parse([], new() { ["EXPORTERS_LOG_OUTPUT"] = "stdout" }).LogOutput);
        var error = Assert.Throws<ConfigurationException>(() => Parse(["--log.output=/var/log/x"]));
        Assert.Contains("--log.output: '/var/log/x': must be stderr or stdout", error.Message, StringComparison.Ordinal);
    }

    private sealed class OtherDefinition : CollectorDefinition<OtherOptions>
    {
        public override string Name => "other";

        public override string Description => "Another collector.";

        public override IReadOnlyList<CollectorFlag> Flags { get; } = [new("other.uri", "uri", null, "Its target.")];

        protected override ICollector Create(OtherOptions options, CollectorCreationContext context) => throw new NotSupportedException();
    }
}

public sealed partial class OtherOptions : CollectorOptions
{
    public string? Uri { get; set; }
}
