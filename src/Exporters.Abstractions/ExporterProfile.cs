namespace Exporters.Abstractions;

/// <summary>
/// How the exporter behaves when it is started under another exporter's name (the image ships a
/// <c>redis_exporter</c> symlink, say), so that a pod spec written for that exporter keeps working unchanged: its
/// default port, its spellings of the host's settings and their environment variables, Go-style single-dash flags,
/// and the flags that mean nothing here, accepted with a warning. A collector package registers its profile with
/// <see cref="IExporterBuilder.AddProfile"/>; started under any other name, the exporter keeps its own conventions.
/// </summary>
/// <param name="programName">The program name that selects the profile, for example <c>redis_exporter</c>.</param>
/// <param name="defaultListenAddress">The listen address when none is given, for example <c>:9121</c>.</param>
public sealed class ExporterProfile(string programName, string defaultListenAddress)
{
    /// <summary>The program name (without directory) that selects this profile.</summary>
    public string ProgramName { get; } = programName;

    /// <summary>The listen address when none is given, <c>host:port</c> or <c>:port</c>.</summary>
    public string DefaultListenAddress { get; } = defaultListenAddress;

    /// <summary>One line for <c>--help</c>, for example "Flags of redis_exporter 1.88".</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The collectors this profile speaks for. Their flags are accepted (other collectors' flags are not, as the
    /// exporter being replaced has none of them), and their default instances run even when no flag is given, as the
    /// replaced exporter scrapes its default target.
    /// </summary>
    public IReadOnlyList<string> Collectors { get; init; } = [];

    /// <summary>Whether <c>-name=value</c> is read as <c>--name=value</c>, as Go's <c>flag</c> package allows.</summary>
    public bool SingleDashFlags { get; init; }

    /// <summary>The replaced exporter's names (and environment variables) for the host's own settings.</summary>
    public IReadOnlyList<HostFlagAlias> HostFlags { get; init; } = [];

    /// <summary>Flags (and their environment variables) that mean nothing here: accepted, each with one warning.</summary>
    public IReadOnlyList<IgnoredFlag> IgnoredFlags { get; init; } = [];

    /// <summary>
    /// Prefixes of the replaced exporter's environment variables, for example <c>REDIS_EXPORTER_</c>. A variable with
    /// such a prefix that no flag reads gets a warning instead of being dropped silently.
    /// </summary>
    public IReadOnlyList<string> EnvironmentPrefixes { get; init; } = [];

    /// <summary>
    /// Collector options that hold under this profile unless the file, the environment or a flag says otherwise,
    /// by dotted key, for example <c>collectors.elasticsearch.uri</c> → empty, where the replaced exporter's default
    /// differs from the collector's.
    /// </summary>
    public IReadOnlyDictionary<string, string> CollectorDefaults { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Top-level sections of the replaced exporter's own configuration file that the host's YAML file accepts under
    /// this profile, each moved to a dotted configuration path: <c>auth_modules</c> → <c>collectors.elasticsearch.auth_modules</c>
    /// lets that exporter's <c>--config.file</c> be given unchanged.
    /// </summary>
    public IReadOnlyDictionary<string, string> ConfigurationSections { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>More paths that answer like <c>/healthz</c>, for example <c>/health</c>.</summary>
    public IReadOnlyList<string> HealthPaths { get; init; } = [];

    /// <summary>
    /// More paths that answer like <c>/probe</c> (under the same allow-list), for example redis_exporter's
    /// <c>/scrape</c>; without a <c>collector</c> parameter they probe with the profile's first collector.
    /// </summary>
    public IReadOnlyList<string> ProbePaths { get; init; } = [];

    /// <summary>
    /// Paths answered by the default instance of the profile's first collector, when it implements
    /// <see cref="ICollectorEndpoint"/>: redis_exporter's <c>/discover-cluster-nodes</c>, for one.
    /// </summary>
    public IReadOnlyList<string> CollectorPaths { get; init; } = [];
}

/// <summary>Another exporter's name for one of the host's settings.</summary>
/// <param name="Name">The flag without leading dashes, for example <c>log-format</c>.</param>
/// <param name="HostFlag">The host flag it sets, for example <c>log.format</c>.</param>
/// <param name="EnvironmentVariable">The environment variable that sets it too, or <see langword="null"/>.</param>
/// <param name="Help">One line for <c>--help</c>.</param>
public sealed record HostFlagAlias(string Name, string HostFlag, string? EnvironmentVariable, string Help)
{
    /// <summary>Whether the flag is boolean (<c>--debug</c>, <c>-debug=false</c>).</summary>
    public bool IsSwitch { get; init; }

    /// <summary>For a switch, the host flag's value when it is on; nothing is set when it is off.</summary>
    public string? SwitchValue { get; init; }

    /// <summary>Translations of values into the host's, for example <c>txt</c> to <c>logfmt</c>; other values pass unchanged.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A flag of another exporter that has no meaning here.</summary>
/// <param name="Name">The flag without leading dashes.</param>
/// <param name="EnvironmentVariable">Its environment variable, or <see langword="null"/>.</param>
/// <param name="Reason">Why it has no effect, for the warning.</param>
/// <param name="IsSwitch">Whether the flag is boolean (takes no separate value).</param>
public sealed record IgnoredFlag(string Name, string? EnvironmentVariable, string Reason, bool IsSwitch = false);
