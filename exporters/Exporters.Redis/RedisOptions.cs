using System.Diagnostics.CodeAnalysis;
using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Exporters.Redis;

/// <summary>Options of one Redis (or Valkey) collector instance. Key names follow redis_exporter's flags.</summary>
public sealed partial class RedisOptions : CollectorOptions
{
    /// <summary>Creates options with redis_exporter's defaults.</summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RedisTlsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RedisProbeTargetOptions))]
    public RedisOptions()
    {
        // The host binds nested option classes by reflection; these keep their setters in a trimmed build.
    }

    /// <summary>
    /// The server: <c>redis://host:6379</c>, <c>rediss://host:6380</c>, <c>unix:///run/redis.sock</c> or
    /// <c>host:6379</c>. Defaults to the main container on localhost, as redis_exporter does.
    /// </summary>
    [ConfigurationKeyName("address")]
    public string? Address { get; set; } = "redis://localhost:6379";

    /// <summary>ACL user name for <c>AUTH</c>; empty means the default user.</summary>
    [ConfigurationKeyName("user")]
    public string? User { get; set; }

    /// <summary>Password for <c>AUTH</c>.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>
    /// A file holding the password, read at every scrape so a rotated secret takes effect. As with redis_exporter, a file holding a JSON
    /// object maps addresses to passwords (<c>{"redis://host:6379": "secret"}</c>).
    /// </summary>
    [ConfigurationKeyName("password_file")]
    public string? PasswordFile { get; set; }

    /// <summary>The name the connection gives itself with <c>CLIENT SETNAME</c>; empty to skip it.</summary>
    [ConfigurationKeyName("client_name")]
    public string? ClientName { get; set; } = "redis_exporter";

    /// <summary>TLS settings for <c>rediss://</c> addresses.</summary>
    [ConfigurationKeyName("tls")]
    public RedisTlsOptions Tls { get; set; } = new();

    /// <summary>The longest a connection attempt may take (always within the scrape's deadline).</summary>
    [ConfigurationKeyName("connection_timeout")]
    public Duration ConnectionTimeout { get; set; } = Duration.FromSeconds(15);

    /// <summary>The name of the CONFIG command (managed services rename it); <c>-</c> turns config metrics off.</summary>
    [ConfigurationKeyName("config_command")]
    public string ConfigCommand { get; set; } = "CONFIG";

    /// <summary>The prefix of every metric name.</summary>
    [ConfigurationKeyName("namespace")]
    public string Namespace { get; set; } = "redis";

    /// <summary>Key patterns to report the size (and numeric value) of, found with SCAN: <c>db3=user_*,other*</c>.</summary>
    [ConfigurationKeyName("check_keys")]
    public string? CheckKeys { get; set; }

    /// <summary>Single keys to report, without SCAN: <c>db0=counter,db1=queue</c>. A missing key is absent from the output.</summary>
    [ConfigurationKeyName("check_single_keys")]
    public string? CheckSingleKeys { get; set; }

    /// <summary>Patterns whose number of matching keys is reported: <c>db0=session:*</c>.</summary>
    [ConfigurationKeyName("count_keys")]
    public string? CountKeys { get; set; }

    /// <summary>Stream key patterns to report (length, groups, consumers), found with SCAN.</summary>
    [ConfigurationKeyName("check_streams")]
    public string? CheckStreams { get; set; }

    /// <summary>Single stream keys to report, without SCAN.</summary>
    [ConfigurationKeyName("check_single_streams")]
    public string? CheckSingleStreams { get; set; }

    /// <summary>The COUNT hint of each SCAN call of key checks.</summary>
    [ConfigurationKeyName("check_keys_batch_size")]
    public int CheckKeysBatchSize { get; set; } = 1000;

    /// <summary>
    /// The most keys key checks report per scrape, and the most values each Lua script reports; more are cut and
    /// said so in a metric.
    /// </summary>
    [ConfigurationKeyName("max_checked_keys")]
    public int MaxCheckedKeys { get; set; } = 1000;

    /// <summary>
    /// The share of the scrape's time left that key checks may use, after the main round trip; what is not done in
    /// time is cut and said so in a metric.
    /// </summary>
    [ConfigurationKeyName("key_checks_budget")]
    public Duration KeyChecksBudget { get; set; } = Duration.FromSeconds(2);

    /// <summary>
    /// Lua scripts run at every scrape (with no keys); each returns alternating keys and values, reported as
    /// <c>redis_script_values{filename,key}</c>. An entry may hold several paths separated by commas, as
    /// redis_exporter's <c>--script</c> does. The files are read when the instance starts, not at every scrape.
    /// </summary>
    [ConfigurationKeyName("script")]
    public List<string> Scripts { get; set; } = [];

    /// <summary>Whether to report connected clients (<c>CLIENT LIST</c>), aggregated by client name and flags.</summary>
    [ConfigurationKeyName("export_client_list")]
    public bool ExportClientList { get; set; }

    /// <summary>Whether to send <c>LATENCY HISTOGRAM</c> (Redis 7 and later) for <c>redis_commands_latencies_usec</c>.</summary>
    [ConfigurationKeyName("latency_histograms")]
    public bool LatencyHistograms { get; set; } = true;

    /// <summary>
    /// Whether a <c>/probe</c> target without its own settings may use this instance's user, password and client
    /// certificate. Off by default, so a credential is only ever sent to the server it was configured for.
    /// </summary>
    [ConfigurationKeyName("probe_use_instance_credentials")]
    public bool ProbeUseInstanceCredentials { get; set; }

    /// <summary>Per-target credentials and TLS settings for <c>/probe</c>, matched by address.</summary>
    [ConfigurationKeyName("probe_targets")]
    public List<RedisProbeTargetOptions> ProbeTargets { get; set; } = [];

    /// <summary>The largest reply accepted, in bytes; a larger one fails the scrape rather than exhausting memory.</summary>
    [ConfigurationKeyName("max_reply_bytes")]
    public long MaxReplyBytes { get; set; } = 64L * 1024 * 1024;

    /// <inheritdoc/>
    public override string? GetTarget() => Address;
}

/// <summary>TLS settings for <c>rediss://</c> targets: the shared client keys plus the name to expect in the server certificate.</summary>
public sealed class RedisTlsOptions : ClientTlsOptions
{
    /// <summary>The name expected in the server certificate (default: the address' host).</summary>
    [ConfigurationKeyName("server_name")]
    public string? ServerName { get; set; }
}

/// <summary>Credentials and TLS settings for one <c>/probe</c> target.</summary>
public sealed class RedisProbeTargetOptions
{
    /// <summary>The target these settings apply to, as given in <c>?target=</c> (compared without credentials).</summary>
    [ConfigurationKeyName("address")]
    public string? Address { get; set; }

    /// <summary>ACL user name.</summary>
    [ConfigurationKeyName("user")]
    public string? User { get; set; }

    /// <summary>Password.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>A file holding the password.</summary>
    [ConfigurationKeyName("password_file")]
    public string? PasswordFile { get; set; }

    /// <summary>TLS settings for this target.</summary>
    [ConfigurationKeyName("tls")]
    public RedisTlsOptions Tls { get; set; } = new();
}
