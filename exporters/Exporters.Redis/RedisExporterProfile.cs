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
        HostFlags =
        [
            new("web.listen-address", "web.listen-address", "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", "Address to listen on for web interface and telemetry (default :9121)."),
            new("web.telemetry-path", "web.telemetry-path", "REDIS_EXPORTER_WEB_TELEMETRY_PATH", "Path under which to expose metrics."),
            new("log-format", "log.format", "REDIS_EXPORTER_LOG_FORMAT", "Log format, txt or json.") { Values = new Dictionary<string, string>(StringComparer.Ordinal) { ["txt"] = "logfmt" } },
            new("log-level", "log.level", "REDIS_EXPORTER_LOG_LEVEL", "Log level: debug, info, warn or error."),
            new("debug", "log.level", "REDIS_EXPORTER_DEBUG", "Output verbose debug information.") { IsSwitch = true, SwitchValue = "debug" },
            new("redis-only-metrics", "web.disable-exporter-metrics", "REDIS_EXPORTER_REDIS_ONLY_METRICS", "Leave out the exporter's own process and runtime metrics.") { IsSwitch = true },
        ],
        IgnoredFlags =
        [
            new("include-go-runtime-metrics", "REDIS_EXPORTER_INCLUDE_GO_RUNTIME_METRICS", "this exporter is not a Go program and has no go_* metrics; its runtime metrics are left out with --redis-only-metrics", IsSwitch: true),
        ],
    };
}
