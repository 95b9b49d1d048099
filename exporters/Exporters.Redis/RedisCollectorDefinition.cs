using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;

namespace Exporters.Redis;

/// <summary>
/// The Redis (and Valkey) collector: a drop-in for redis_exporter's metric names and command-line flags, scraping
/// with one pipelined round trip over a kept connection.
/// </summary>
public sealed class RedisCollectorDefinition : CollectorDefinition<RedisOptions>
{
    private static readonly CollectorFlag[] FlagList =
    [
        new("redis.addr", "address", "REDIS_ADDR", "Address of the Redis instance to scrape (redis://, rediss://, unix:// or host:port)."),
        new("redis.user", "user", "REDIS_USER", "User name to use for authentication (Redis ACL for Redis 6.0 and newer)."),
        new("redis.password", "password", "REDIS_PASSWORD", "Password of the Redis instance to scrape."),
        new("redis.password-file", "password_file", "REDIS_PASSWORD_FILE", "File holding the password, or a JSON object of address to password."),
        new("tls-client-cert-file", "tls.cert_file", "REDIS_EXPORTER_TLS_CLIENT_CERT_FILE", "Client certificate file for TLS client authentication."),
        new("tls-client-key-file", "tls.key_file", "REDIS_EXPORTER_TLS_CLIENT_KEY_FILE", "Client key file for TLS client authentication."),
        new("tls-ca-cert-file", "tls.ca_file", "REDIS_EXPORTER_TLS_CA_CERT_FILE", "CA certificate file to verify the server certificate."),
        new("skip-tls-verification", "tls.insecure_skip_verify", "REDIS_EXPORTER_SKIP_TLS_VERIFICATION", "Do not verify the server certificate.", IsSwitch: true),
        new("check-keys", "check_keys", "REDIS_EXPORTER_CHECK_KEYS", "Comma-separated key patterns to export size and value of, found with SCAN, like db3=user_count,db0=page*."),
        new("check-single-keys", "check_single_keys", "REDIS_EXPORTER_CHECK_SINGLE_KEYS", "Comma-separated keys to export size and value of, without SCAN."),
        new("count-keys", "count_keys", "REDIS_EXPORTER_COUNT_KEYS", "Comma-separated patterns whose number of matching keys is exported, like db3=sessions:*."),
        new("check-streams", "check_streams", "REDIS_EXPORTER_CHECK_STREAMS", "Comma-separated stream key patterns to export stream, group and consumer metrics of, found with SCAN."),
        new("script", "script", "REDIS_EXPORTER_SCRIPT", "Comma-separated paths of Lua scripts run at every scrape; each returns alternating keys and values (redis_script_values)."),
        new("config-command", "config_command", "REDIS_EXPORTER_CONFIG_COMMAND", "The name of the CONFIG command, or - to skip config metrics."),
        new("connection-timeout", "connection_timeout", "REDIS_EXPORTER_CONNECTION_TIMEOUT", "Timeout for connecting to Redis, like 15s."),
        new("namespace", "namespace", "REDIS_EXPORTER_NAMESPACE", "Namespace (prefix) of the metrics."),
    ];

    /// <inheritdoc/>
    public override string Name => "redis";

    /// <inheritdoc/>
    public override string Description => "Redis and Valkey servers (INFO, CONFIG, SLOWLOG, LATENCY, CLUSTER, Sentinel), with redis_exporter's metric names.";

    /// <inheritdoc/>
    public override string? UpMetricName => "redis_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags => FlagList;

    /// <inheritdoc/>
    protected override string? GetUpMetricName(RedisOptions options) => $"{options.Namespace}_up";

    /// <inheritdoc/>
    protected override void Validate(RedisOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!RedisEndpoint.TryParse(options.Address, out _, out var error))
        {
            errors.Add("address", error);
        }

        if (string.IsNullOrEmpty(options.Namespace) || !MetricNames.IsValidMetricName(options.Namespace + "_up"))
        {
            errors.Add("namespace", $"'{options.Namespace}' is not a valid metric name prefix; use letters, digits and underscores");
        }

        if (string.IsNullOrWhiteSpace(options.ConfigCommand) || options.ConfigCommand.Any(char.IsWhiteSpace))
        {
            errors.Add("config_command", "must be a command name (CONFIG, or the name your service renamed it to) or - to skip config metrics");
        }

        if (!string.IsNullOrEmpty(options.Password) && !string.IsNullOrEmpty(options.PasswordFile))
        {
            errors.Add("password_file", "set either password or password_file, not both");
        }

        options.Tls.Validate("tls", errors);
        CheckKeys(options.CheckKeys, "check_keys", errors);
        CheckKeys(options.CheckSingleKeys, "check_single_keys", errors);
        CheckKeys(options.CountKeys, "count_keys", errors);
        CheckKeys(options.CheckStreams, "check_streams", errors);
        CheckKeys(options.CheckSingleStreams, "check_single_streams", errors);
        CheckScripts(options.Scripts, errors);
        if (options.CheckKeysBatchSize is < 1 or > 1_000_000)
        {
            errors.Add("check_keys_batch_size", "must be between 1 and 1000000");
        }

        if (options.MaxCheckedKeys < 1)
        {
            errors.Add("max_checked_keys", "must be at least 1");
        }

        if (options.MaxReplyBytes < 64 * 1024)
        {
            errors.Add("max_reply_bytes", "must be at least 65536; INFO ALL alone is tens of kilobytes");
        }

        if (options.ConnectionTimeout.IsZero)
        {
            errors.Add("connection_timeout", "must be above zero, like 5s");
        }

        for (var i = 0; i < options.ProbeTargets.Count; i++)
        {
            var entry = options.ProbeTargets[i];
            var key = $"probe_targets.{i}";
            if (!RedisEndpoint.TryParse(entry.Address, out _, out var targetError))
            {
                errors.Add(key + ".address", targetError);
            }

            if (!string.IsNullOrEmpty(entry.Password) && !string.IsNullOrEmpty(entry.PasswordFile))
            {
                errors.Add(key + ".password_file", "set either password or password_file, not both");
            }

            entry.Tls.Validate(key + ".tls", errors);
        }
    }

    /// <inheritdoc/>
    protected override ICollector Create(RedisOptions options, CollectorCreationContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        return new RedisCollector(options, RedisEndpoint.TryParse(options.Address, out var endpoint, out _) ? endpoint : null, context);
    }

    private static void CheckScripts(List<string> entries, OptionErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in LuaScripts.Paths(entries))
        {
            if (!seen.Add(path))
            {
                // Two entries with one file name would give each of its values twice, with the same labels.
                errors.Add("script", $"'{path}' is listed twice");
            }
            else if (!LuaScripts.TryRead(path, out _, out var error))
            {
                errors.Add("script", error);
            }
        }
    }

    private static void CheckKeys(string? value, string key, OptionErrors errors)
    {
        if (!KeySpec.TryParseList(value, out _, out var error))
        {
            errors.Add(key, error);
        }
    }
}
