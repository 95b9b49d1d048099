using Exporters.Abstractions;

namespace Exporters.Redis;

/// <summary>
/// The exporter started as <c>redis_exporter</c>: the port, flag spellings and environment variables of
/// redis_exporter, so a sidecar switches by changing its image and keeping its pod spec.
/// </summary>
internal static class RedisExporterProfile
{
    /// <summary>The program name that selects the profile (the image's symlink).</summary>
    public const string ProgramName = "redis_exporter";

    public static ExporterProfile Create() => new(ProgramName, ":9121")
    {
        Description = "the flags and environment variables of redis_exporter",
        Collectors = ["redis"],
        SingleDashFlags = true,
        EnvironmentPrefixes = ["REDIS_EXPORTER_"],
        HealthPaths = ["/health"],
        ProbePaths = ["/scrape"],
        CollectorPaths = ["/discover-cluster-nodes"],
        HostFlags =
        [
            new("web.listen-address", "web.listen-address", "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", "Address to listen on for web interface and telemetry (default :9121)."),
            new("web.telemetry-path", "web.telemetry-path", "REDIS_EXPORTER_WEB_TELEMETRY_PATH", "Path under which to expose metrics."),
            new("log-format", "log.format", "REDIS_EXPORTER_LOG_FORMAT", "Log format, txt or json.") { Values = new Dictionary<string, string>(StringComparer.Ordinal) { ["txt"] = "logfmt", ["text"] = "logfmt" } },
            new("log-level", "log.level", "REDIS_EXPORTER_LOG_LEVEL", "Log level: debug, info, warn or error."),
            new("debug", "log.level", "REDIS_EXPORTER_DEBUG", "Output verbose debug information.") { IsSwitch = true, SwitchValue = "debug" },
            new("redis-only-metrics", "web.disable-exporter-metrics", "REDIS_EXPORTER_REDIS_ONLY_METRICS", "Leave out the exporter's own process and runtime metrics.") { IsSwitch = true },
            new("tls-server-cert-file", "web.tls.cert-file", "REDIS_EXPORTER_TLS_SERVER_CERT_FILE", "Serve the web interface and telemetry over HTTPS with this certificate (with --tls-server-key-file)."),
            new("tls-server-key-file", "web.tls.key-file", "REDIS_EXPORTER_TLS_SERVER_KEY_FILE", "The key of --tls-server-cert-file."),
            new("tls-server-ca-cert-file", "web.tls.client-ca-file", "REDIS_EXPORTER_TLS_SERVER_CA_CERT_FILE", "Require client certificates signed by this CA."),
            new("tls-server-min-version", "web.tls.min-version", "REDIS_EXPORTER_TLS_SERVER_MIN_VERSION", "Lowest TLS version served: TLS1.0, TLS1.1, TLS1.2 (default) or TLS1.3."),
            new("basic-auth-username", "web.basic-auth.username", "REDIS_EXPORTER_BASIC_AUTH_USERNAME", "Require basic auth with this user name."),
            new("basic-auth-password", "web.basic-auth.password", "REDIS_EXPORTER_BASIC_AUTH_PASSWORD", "The basic-auth password; conflicts with --basic-auth-hash-password."),
            new("basic-auth-hash-password", "web.basic-auth.password-hash", "REDIS_EXPORTER_BASIC_AUTH_HASH_PASSWORD", "The basic-auth password as a bcrypt hash; conflicts with --basic-auth-password."),
            new("scrape-allowed-targets", "probe.allowed-targets", "REDIS_EXPORTER_SCRAPE_ALLOWED_TARGETS", "Enable /scrape?target= (and /probe) for these comma-separated host:port patterns, * matching any run of characters; off without it."),
        ],
        IgnoredFlags =
        [
            new("include-go-runtime-metrics", "REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS", "this exporter is not a Go program and has no go_* metrics; its runtime metrics are left out with --redis-only-metrics", IsSwitch: true),
            new("disable-scrape-endpoint", "REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT", "/scrape is already off here unless --scrape-allowed-targets names the targets it may reach", IsSwitch: true),
        ],
    };
}
