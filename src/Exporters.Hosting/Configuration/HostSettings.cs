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
