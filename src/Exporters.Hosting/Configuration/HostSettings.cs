using Exporters.Abstractions;

namespace Exporters.Hosting.Configuration;

/// <summary>Settings fixed for the life of the process, from flags and environment variables.</summary>
internal sealed class HostSettings
{
    /// <summary>The port served when no listen address is given.</summary>
    public const int DefaultPort = 9840;

    /// <summary>Addresses to listen on, <c>host:port</c> or <c>:port</c> (all interfaces).</summary>
    public List<string> ListenAddresses { get; } = [];

    /// <summary>Path of the merged metrics endpoint.</summary>
    public string TelemetryPath { get; set; } = "/metrics";

    /// <summary>The YAML configuration file, or null.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Directory of plugin collectors, or null.</summary>
    public string? PluginsDirectory { get; set; }

    /// <summary>Minimum log level.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary><c>logfmt</c> or <c>json</c>.</summary>
    public string LogFormat { get; set; } = "logfmt";

    /// <summary>Where logs go: <c>stderr</c> or <c>stdout</c>.</summary>
    public string LogOutput { get; set; } = "stderr";

    /// <summary>How much of Prometheus' scrape timeout is kept back for rendering and the network.</summary>
    public Duration ScrapeTimeoutMargin { get; set; } = Duration.FromSeconds(0.5);

    /// <summary>How often the configuration file is checked for changes besides file-system events.</summary>
    public Duration ConfigCheckInterval { get; set; } = Duration.FromSeconds(10);

    /// <summary>
    /// How often, at most, memory the garbage collector keeps committed after scrapes is handed back to the operating
    /// system while no scrape runs. Zero turns it off.
    /// </summary>
    public Duration MemoryReleaseInterval { get; set; } = Duration.FromSeconds(30);

    /// <summary>The exporter-toolkit web config file (TLS, basic auth, HTTP settings), or null.</summary>
    public string? WebConfigFile { get; set; }

    /// <summary>
    /// HTTPS for the exporter's own endpoints given by flags rather than a web config file: the certificate, or null.
    /// </summary>
    public string? WebTlsCertFile { get; set; }

    /// <summary>The private key of <see cref="WebTlsCertFile"/>, or null.</summary>
    public string? WebTlsKeyFile { get; set; }

    /// <summary>CA certificates that client certificates must chain to; setting it requires a client certificate.</summary>
    public string? WebTlsClientCaFile { get; set; }

    /// <summary>The lowest TLS version served (<c>TLS12</c> or <c>TLS1.2</c> style), or null for TLS 1.2.</summary>
    public string? WebTlsMinVersion { get; set; }

    /// <summary>The one basic-auth user given by flags, or null.</summary>
    public string? BasicAuthUsername { get; set; }

    /// <summary>Its password in clear, or null. Never logged.</summary>
    public string? BasicAuthPassword { get; set; }

    /// <summary>Its password as a bcrypt hash, or null.</summary>
    public string? BasicAuthPasswordHash { get; set; }

    /// <summary>
    /// Targets <c>/probe</c> may reach, given by flag; when set, <c>/probe</c> is enabled with these patterns
    /// (overriding <c>probe.enabled</c> and <c>probe.allowed_targets</c> of the file).
    /// </summary>
    public List<string>? ProbeAllowedTargets { get; set; }

    /// <summary>Most scrapes served at once; more are answered 429. 0 means no limit.</summary>
    public int MaxRequests { get; set; } = 40;

    /// <summary>How long a client may take to send the request headers before the connection is closed.</summary>
    public Duration ReadHeaderTimeout { get; set; } = Duration.FromSeconds(10);

    /// <summary>The drop-in profile the program name selected, or null for the host's own conventions.</summary>
    public ExporterProfile? Profile { get; init; }

    /// <summary>Whether the process and runtime families are left out of <c>/metrics</c>.</summary>
    public bool DisableExporterMetrics { get; set; }

    /// <summary>Things on the command line or in the environment that were accepted but mean nothing here; logged at start-up.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Collector options that hold unless the file, the environment or a flag says otherwise (a profile's default instances).</summary>
    public Dictionary<string, string?> CollectorDefaults { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Collector option overrides from collector flags and their environment variables (<c>collectors:x:key</c> → value).</summary>
    public Dictionary<string, string?> CollectorOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The effective listen addresses (the default when none was given).</summary>
    public IReadOnlyList<string> EffectiveListenAddresses => ListenAddresses.Count > 0 ? ListenAddresses : [Profile?.DefaultListenAddress ?? $":{DefaultPort}"];
}
