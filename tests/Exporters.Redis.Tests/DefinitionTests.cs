using Exporters.Testing;

namespace Exporters.Redis.Tests;

public sealed class DefinitionTests
{
    [Fact]
    public void Names_the_collector_and_its_up_metric()
    {
        var definition = new RedisCollectorDefinition();
        Assert.Equal("redis", definition.Name);
        Assert.Equal("redis_up", definition.UpMetricName);
        Assert.IsType<RedisOptions>(definition.CreateOptions());
    }

    [Fact]
    public void The_up_metric_follows_the_namespace_so_the_host_writes_the_same_name_the_collector_does()
    {
        var definition = new RedisCollectorDefinition();
        Assert.Equal("redis_up", definition.GetUpMetricName(new RedisOptions()));
        Assert.Equal("cache_up", definition.GetUpMetricName(new RedisOptions { Namespace = "cache" }));
    }

    [Theory]
    [InlineData("redis.addr", "address", "REDIS_ADDR", false)]
    [InlineData("redis.user", "user", "REDIS_USER", false)]
    [InlineData("redis.password", "password", "REDIS_PASSWORD", false)]
    [InlineData("redis.password-file", "password_file", "REDIS_PASSWORD_FILE", false)]
    [InlineData("tls-client-cert-file", "tls.cert_file", "REDIS_EXPORTER_TLS_CLIENT_CERT_FILE", false)]
    [InlineData("tls-client-key-file", "tls.key_file", "REDIS_EXPORTER_TLS_CLIENT_KEY_FILE", false)]
    [InlineData("tls-ca-cert-file", "tls.ca_file", "REDIS_EXPORTER_TLS_CA_CERT_FILE", false)]
    [InlineData("skip-tls-verification", "tls.insecure_skip_verify", "REDIS_EXPORTER_SKIP_TLS_VERIFICATION", true)]
    [InlineData("check-keys", "check_keys", "REDIS_EXPORTER_CHECK_KEYS", false)]
    [InlineData("check-single-keys", "check_single_keys", "REDIS_EXPORTER_CHECK_SINGLE_KEYS", false)]
    [InlineData("count-keys", "count_keys", "REDIS_EXPORTER_COUNT_KEYS", false)]
    [InlineData("check-streams", "check_streams", "REDIS_EXPORTER_CHECK_STREAMS", false)]
    [InlineData("script", "script", "REDIS_EXPORTER_SCRIPT", false)]
    [InlineData("config-command", "config_command", "REDIS_EXPORTER_CONFIG_COMMAND", false)]
    [InlineData("connection-timeout", "connection_timeout", "REDIS_EXPORTER_CONNECTION_TIMEOUT", false)]
    [InlineData("namespace", "namespace", "REDIS_EXPORTER_NAMESPACE", false)]
    public void Offers_redis_exporter_flags_and_environment_variables(string flag, string key, string environment, bool isSwitch)
    {
        var match = Assert.Single(new RedisCollectorDefinition().Flags, f => f.Name == flag);
        Assert.Equal(key, match.OptionKey);
        Assert.Equal(environment, match.EnvironmentVariable);
        Assert.Equal(isSwitch, match.IsSwitch);
    }

    [Fact]
    public void Every_flag_sets_a_key_the_options_bind()
    {
        foreach (var flag in new RedisCollectorDefinition().Flags)
        {
            var value = flag.IsSwitch ? "true" : flag.OptionKey switch
            {
                "address" => "redis://127.0.0.1:6379",
                "connection_timeout" => "3s",
                "namespace" => "redis",
                "config_command" => "CONFIG",
                "tls.cert_file" or "tls.key_file" or "tls.ca_file" or "password_file" or "script" => "/etc/hostname",
                "check_keys" or "check_single_keys" or "count_keys" or "check_streams" or "check_single_streams" => "db1=a*",
                "check_keys_batch_size" or "max_distinct_key_groups" => "50",
                "check_search_indexes" => "^idx_.*",
                _ => "x",
            };
            var settings = new Dictionary<string, string?> { [flag.OptionKey.Replace('.', ':')] = value };
            if (flag.OptionKey is "tls.cert_file")
            {
                settings["tls:key_file"] = "/etc/hostname";
            }
            else if (flag.OptionKey is "tls.key_file")
            {
                settings["tls:cert_file"] = "/etc/hostname";
            }

            var (_, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), settings);
            Assert.False(errors.HasErrors, $"{flag.Name}: " + string.Join("; ", errors.Errors));
        }
    }

    [Theory]
    [InlineData("address", "ftp://x", "address")]
    [InlineData("namespace", "bad-name", "namespace")]
    [InlineData("check_keys", "dbx=foo", "check_keys")]
    [InlineData("count_keys", "db1=", "count_keys")]
    [InlineData("config_command", "CON FIG", "config_command")]
    [InlineData("tls:ca_file", "/does/not/exist.pem", "tls.ca_file")]
    [InlineData("tls:cert_file", "/etc/hostname", "tls.key_file")]
    [InlineData("max_checked_keys", "0", "max_checked_keys")]
    [InlineData("max_clients", "0", "max_clients")]
    [InlineData("max_distinct_key_groups", "0", "max_distinct_key_groups")]
    [InlineData("check_key_groups", "\"unclosed", "check_key_groups")]
    [InlineData("check_search_indexes", "([", "check_search_indexes")]
    [InlineData("probe_targets:0:address", "nope://x", "probe_targets.0.address")]
    public void Invalid_options_name_their_key(string key, string value, string expectedKey)
    {
        var (_, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), new Dictionary<string, string?> { [key] = value });
        Assert.Contains(errors.Errors, e => e.Key == expectedKey);
    }

    [Fact]
    public void Password_and_password_file_together_are_refused()
    {
        var (_, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), new Dictionary<string, string?> { ["password"] = "a", ["password_file"] = "/etc/hostname" });
        Assert.Contains(errors.Errors, e => e.Key == "password_file");
    }

    [Fact]
    public void Defaults_to_the_local_main_container()
    {
        var (options, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), new Dictionary<string, string?>());
        Assert.False(errors.HasErrors);
        Assert.Equal("redis://localhost:6379", options.GetTarget());
    }
}
