using System.Globalization;
using Exporters.Abstractions;
using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

/// <summary>
/// Started as <c>redis_exporter</c>, the stock composition takes every flag and environment variable of
/// redis_exporter 1.88 (the list in tests/Exporters.TestSupport/Anchors is read from its main.go).
/// </summary>
public class RedisDropInTests
{
    /// <summary>Flags that cannot mean anything here: accepted with one warning each.</summary>
    private static readonly string[] WarnedFlags = ["include-go-runtime-metrics", "disable-scrape-endpoint"];

    private static (CollectorRegistry Registry, ExporterProfile Profile) Stock()
    {
        var builder = StockExporter.Builder([], null);
        return (builder.Registry, builder.Profiles["redis_exporter"]);
    }

    private static HostSettings Parse(IReadOnlyList<string> args, Dictionary<string, string?>? environment = null)
    {
        var (registry, profile) = Stock();
        Assert.Equal(CommandLineAction.Run, CommandLine.Parse(args, environment ?? [], registry, profile, out var settings));
        return settings;
    }

    public static TheoryData<string, string, string> AnchorFlags()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var flag in AnchorFlagList().Where(f => f.Name != "version"))
        {
            data.Add(flag.Name, flag.Environment, flag.Kind);
        }

        return data;
    }

    internal static List<(string Name, string Environment, string Kind, string Default)> AnchorFlagList() =>
        [.. File.ReadAllLines(Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.TestSupport", "Anchors", "redis_exporter-1.88-flags.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(p => (p[0], p[1], p[2], p[3]))];

    /// <summary>A value each flag accepts, files included.</summary>
    private static string SampleValue(string name, string kind) => kind switch
    {
        "bool" => "true",
        "int" => "50",
        _ => name switch
        {
            "redis.addr" => "redis://127.0.0.1:6390",
            "web.listen-address" => "127.0.0.1:9399",
            "web.telemetry-path" => "/m",
            "connection-timeout" => "3s",
            "log-level" => "DEBUG",
            "log-format" => "json",
            "config-command" => "CONFIG",
            "namespace" => "myredis",
            "tls-server-min-version" => "TLS1.3",
            "check-keys" or "check-single-keys" or "check-streams" or "check-single-streams" or "count-keys" => "db0=a*,db1=b",
            "check-key-groups" => "^(user):,^(session):",
            "check-search-indexes" => "^idx",
            "redis.password-file" or "script" or "tls-client-key-file" or "tls-client-cert-file" or "tls-ca-cert-file"
                or "tls-server-key-file" or "tls-server-cert-file" or "tls-server-ca-cert-file" => "/etc/hostname",
            _ => "value",
        },
    };

    [Fact]
    public void The_anchor_list_holds_the_59_flags_of_redis_exporter_1_88()
    {
        var flags = AnchorFlagList();
        Assert.Equal(59, flags.Count);
        Assert.Equal(flags.Count, flags.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(AnchorFlags))]
    public void Every_flag_of_redis_exporter_1_88_is_accepted_with_one_and_two_dashes(string name, string environment, string kind)
    {
        _ = environment;
        var value = SampleValue(name, kind);
        foreach (var dashes in new[] { "-", "--" })
        {
            var settings = Parse([$"{dashes}{name}={value}"]);
            if (WarnedFlags.Contains(name))
            {
                Assert.StartsWith($"--{name} is accepted for compatibility and has no effect: ", Assert.Single(settings.Warnings), StringComparison.Ordinal);
            }
            else
            {
                Assert.Empty(settings.Warnings);
            }
        }

        if (kind != "bool")
        {
            // Go's flag package also takes the value as the next argument.
            Assert.NotNull(Parse([$"-{name}", value]));
        }
    }

    [Theory]
    [MemberData(nameof(AnchorFlags))]
    public void Every_environment_variable_of_redis_exporter_1_88_is_read(string name, string environment, string kind)
    {
        var settings = Parse([], new() { [environment] = SampleValue(name, kind) });
        if (WarnedFlags.Contains(name))
        {
            Assert.StartsWith($"{environment} is accepted for compatibility and has no effect: ", Assert.Single(settings.Warnings), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(settings.Warnings);
        }
    }

    [Fact]
    public void Collector_flags_and_their_variables_set_the_option_with_the_flags_meaning()
    {
        var settings = Parse(["-is-cluster", "-check-single-streams=db0=events", "-streams-exclude-consumer-metrics=1", "-set-client-name=false", "-exclude-latency-histogram-metrics"],
            new() { ["REDIS_EXPORTER_INCL_SYSTEM_METRICS"] = "t", ["REDIS_EXPORTER_INCL_CONFIG_METRICS"] = "TRUE", ["REDIS_EXPORTER_REDACT_CONFIG_METRICS"] = "0" });
        var overrides = settings.CollectorOverrides;
        Assert.Equal("true", overrides["collectors:redis:is_cluster"]);
        Assert.Equal("db0=events", overrides["collectors:redis:check_single_streams"]);
        Assert.Equal("true", overrides["collectors:redis:streams_exclude_consumer_metrics"]);
        Assert.Equal("false", overrides["collectors:redis:set_client_name"]);
        Assert.Equal("true", overrides["collectors:redis:exclude_latency_histogram_metrics"]);
        Assert.Equal("true", overrides["collectors:redis:include_system_metrics"]);
        Assert.Equal("true", overrides["collectors:redis:include_config_metrics"]);
        Assert.Equal("false", overrides["collectors:redis:redact_config_metrics"]);
    }

    [Fact]
    public void Web_and_log_flags_map_onto_the_hosts_settings()
    {
        var settings = Parse(["-tls-server-cert-file=/c.pem", "-tls-server-key-file", "/k.pem", "-tls-server-ca-cert-file=/ca.pem", "-tls-server-min-version=TLS1.3",
            "-basic-auth-username=prom", "-basic-auth-hash-password=$2y$05$abc", "-log-format=txt", "-debug", "-redis-only-metrics", "-scrape-allowed-targets=10.0.0.*:6379, redis-*:6379"]);
        Assert.Equal("/c.pem", settings.WebTlsCertFile);
        Assert.Equal("/k.pem", settings.WebTlsKeyFile);
        Assert.Equal("/ca.pem", settings.WebTlsClientCaFile);
        Assert.Equal("TLS1.3", settings.WebTlsMinVersion);
        Assert.Equal("prom", settings.BasicAuthUsername);
        Assert.Equal("$2y$05$abc", settings.BasicAuthPasswordHash);
        Assert.Equal("logfmt", settings.LogFormat);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, settings.LogLevel);
        Assert.True(settings.DisableExporterMetrics);
        Assert.Equal(["10.0.0.*:6379", "redis-*:6379"], settings.ProbeAllowedTargets);
    }

    [Fact]
    public void It_listens_on_9121_unless_told_otherwise_by_flag_or_variable()
    {
        Assert.Equal([":9121"], Parse([]).EffectiveListenAddresses);
        Assert.Equal(["127.0.0.1:9500"], Parse([], new() { ["REDIS_EXPORTER_WEB_LISTEN_ADDRESS"] = "127.0.0.1:9500" }).EffectiveListenAddresses);
        Assert.Equal([":9501"], Parse(["-web.listen-address", ":9501"], new() { ["REDIS_EXPORTER_WEB_LISTEN_ADDRESS"] = "127.0.0.1:9500" }).EffectiveListenAddresses);
    }

    [Fact]
    public void A_misspelt_variable_gets_a_warning_and_a_bad_switch_value_an_error()
    {
        Assert.Equal("REDIS_EXPORTER_IS_CLUSTR is not a setting of redis_exporter and is ignored", Assert.Single(Parse([], new() { ["REDIS_EXPORTER_IS_CLUSTR"] = "true" }).Warnings));
        var (registry, profile) = Stock();
        var error = Assert.Throws<ConfigurationException>(() => CommandLine.Parse([], new Dictionary<string, string?> { ["REDIS_EXPORTER_IS_CLUSTER"] = "yes" }, registry, profile, out _));
        Assert.Contains("REDIS_EXPORTER_IS_CLUSTER: 'yes' is not true or false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Started_as_exporters_the_host_keeps_its_own_conventions()
    {
        var (registry, _) = Stock();
        Assert.Equal(CommandLineAction.Run, CommandLine.Parse([], new Dictionary<string, string?> { ["REDIS_EXPORTER_WEB_LISTEN_ADDRESS"] = ":9500" }, registry, out var settings));
        Assert.Equal([$":{HostSettings.DefaultPort.ToString(CultureInfo.InvariantCulture)}"], settings.EffectiveListenAddresses);
        Assert.Empty(settings.Warnings);
        var error = Assert.Throws<ConfigurationException>(() => CommandLine.Parse(["-redis.addr=x:1"], new Dictionary<string, string?>(), registry, out _));
        Assert.Contains("unexpected argument '-redis.addr=x:1'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => CommandLine.Parse(["--tls-server-cert-file=/c.pem"], new Dictionary<string, string?>(), registry, out _));
    }

    [Fact]
    public async Task Started_as_redis_exporter_it_answers_health_and_hides_its_runtime_families_with_redis_only_metrics()
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"-web.listen-address=127.0.0.1:{port}", "-redis.addr=redis://127.0.0.1:1", "-redis-only-metrics"], null);
        builder.ProgramName = "redis_exporter";
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal("ok\n", await client.GetStringAsync(new Uri("/health", UriKind.Relative)));
            var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains("redis_up 0", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("\nprocess_", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("\ndotnet_", metrics, StringComparison.Ordinal);
            using var scrape = await client.GetAsync(new Uri("/scrape?target=127.0.0.1:1", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, scrape.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
