using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Exporters.Abstractions;
using Exporters.Hosting.Collectors;

namespace Exporters.Hosting;

/// <summary>
/// Composes an exporter: the collectors it is built with, then the flags, environment and configuration file that
/// configure them at start-up. Create one with <see cref="ExporterApplication.CreateBuilder"/>, add collectors with
/// their packages' extensions (<c>builder.AddRedis()</c>), then <see cref="RunAsync"/> or <see cref="Build"/>.
/// </summary>
public sealed class ExporterApplicationBuilder : IExporterBuilder
{
    private readonly CollectorRegistry _registry = new();
    private readonly Dictionary<string, ExporterProfile> _profiles = new(StringComparer.Ordinal);
    private Action<string, CollectorRegistry>? _pluginLoader;

    internal ExporterApplicationBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        Environment = System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string, StringComparer.Ordinal);
        ProgramName = DetectProgramName();
    }

    /// <summary>
    /// The name the process was started under. A JIT build started through its apphost reports the managed
    /// assembly as its first argument, whatever symlink started it, so the name the kernel saw is read instead
    /// (a native build reports it directly).
    /// </summary>
    private static string DetectProgramName()
    {
        var first = System.Environment.GetCommandLineArgs().FirstOrDefault() ?? "exporters";
        if (first.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && OperatingSystem.IsLinux())
        {
            try
            {
                var commandLine = File.ReadAllText("/proc/self/cmdline");
                var end = commandLine.IndexOf('\0', StringComparison.Ordinal);
                var started = Path.GetFileName(end < 0 ? commandLine : commandLine[..end]);
                if (started.Length > 0 && started is not ("dotnet" or "dotnet.exe"))
                {
                    return Path.GetFileNameWithoutExtension(started);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No /proc: the assembly's name is the best there is.
            }
        }

        return Path.GetFileNameWithoutExtension(first);
    }

    /// <summary>The command-line arguments, without the program name.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>The environment variables the exporter reads; a copy of the process environment that tests may change.</summary>
    public IDictionary<string, string?> Environment { get; }

    /// <summary>
    /// The name the program was started under, without directory or extension. Help and version texts use it.
    /// </summary>
    public string ProgramName { get; set; }

    /// <summary>The clock every scrape, deadline and cache uses.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The collector definitions registered so far, in name order.</summary>
    public IEnumerable<CollectorDefinition> Collectors => _registry.Definitions;

    /// <summary>The drop-in profiles registered so far, by program name.</summary>
    public IReadOnlyDictionary<string, ExporterProfile> Profiles => _profiles;

    internal CollectorRegistry Registry => _registry;

    internal Action<string, CollectorRegistry>? PluginLoading => _pluginLoader;

    /// <summary>Registers a collector definition.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The name is invalid or already taken.</exception>
    public ExporterApplicationBuilder AddCollector(CollectorDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _registry.Add(definition, "built-in");
        return this;
    }

    /// <summary>Registers a drop-in profile, used when the program is started under its name.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">Another profile already has that program name.</exception>
    public ExporterApplicationBuilder AddProfile(ExporterProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (!_profiles.TryAdd(profile.ProgramName, profile))
        {
            throw new InvalidOperationException($"a profile for the program name '{profile.ProgramName}' is already registered");
        }

        return this;
    }

    /// <inheritdoc/>
    IExporterBuilder IExporterBuilder.AddCollector(CollectorDefinition definition) => AddCollector(definition);

    /// <inheritdoc/>
    IExporterBuilder IExporterBuilder.AddProfile(ExporterProfile profile) => AddProfile(profile);

    /// <summary>
    /// Lets <c>--plugins.dir</c> load collector assemblies at run time. Needs the JIT runtime: a Native AOT build cannot
    /// load assemblies, and one given <c>--plugins.dir</c> stops with an error that says so.
    /// </summary>
    /// <returns>This builder.</returns>
    [RequiresUnreferencedCode("Plugins are loaded by reflection from assemblies the trimmer never saw.")]
    [RequiresDynamicCode("Plugins are loaded as IL and need the JIT.")]
    public ExporterApplicationBuilder EnablePlugins()
    {
        _pluginLoader = static (directory, registry) => Exporters.Hosting.Collectors.PluginLoader.LoadInto(directory, registry);
        return this;
    }

    /// <summary>
    /// Parses the flags and environment, loads and validates the configuration, and builds the application without
    /// starting it. When the flags ask for <c>--help</c> or <c>--version</c>, the application only prints.
    /// </summary>
    /// <returns>The application.</returns>
    /// <exception cref="ConfigurationException">Invalid flags, plugins or configuration; each problem names its flag or key.</exception>
    public ExporterApplication Build() => ExporterApplication.Create(this);

    /// <summary>
    /// Builds and runs the application until the process is asked to stop, the way a <c>Program.cs</c> does it: help
    /// and version are printed, invalid flags or configuration are printed to standard error and give exit code
    /// <see cref="ExporterApplication.ConfigurationErrorExitCode"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops the application.</param>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        ExporterApplication app;
        try
        {
            app = Build();
        }
        catch (ConfigurationException e)
        {
            await ExporterApplication.ReportAsync(e);
            return ExporterApplication.ConfigurationErrorExitCode;
        }

        await using (app)
        {
            return await app.RunAsync(cancellationToken);
        }
    }
}
