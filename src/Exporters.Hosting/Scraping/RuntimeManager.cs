using Exporters.Hosting.Collectors;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;

namespace Exporters.Hosting.Scraping;

/// <summary>
/// Owns the live <see cref="ExporterRuntime"/> and replaces it on reload. A reload that fails validation keeps the
/// running configuration. Instances whose configuration did not change are carried over, connections and all.
/// </summary>
internal sealed partial class RuntimeManager : IAsyncDisposable
{
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly HostSettings _settings;
    private readonly CollectorRegistry _registry;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private ExporterRuntime _current;

    /// <summary>Creates the manager with the configuration validated at start-up.</summary>
    /// <param name="initial">The start-up configuration.</param>
    /// <param name="settings">Process settings.</param>
    /// <param name="registry">Known collectors.</param>
    /// <param name="environment">Environment variables.</param>
    /// <param name="loggerFactory">Logger factory.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="redactor">The secret scrubber.</param>
    public RuntimeManager(ExporterConfiguration initial, HostSettings settings, CollectorRegistry registry, IReadOnlyDictionary<string, string?> environment, ILoggerFactory loggerFactory, TimeProvider timeProvider, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _settings = settings;
        _registry = registry;
        _environment = environment;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
        _redactor = redactor;
        _logger = loggerFactory.CreateLogger<RuntimeManager>();
        _current = Build(initial, previous: null);
        ConfigurationContent = ReadFile();
        LastReloadSuccessful = true;
        LastReloadSuccess = timeProvider.GetUtcNow();
        Started = LastReloadSuccess;
    }

    /// <summary>The live runtime.</summary>
    public ExporterRuntime Current => Volatile.Read(ref _current);

    /// <summary>Whether the last reload attempt succeeded.</summary>
    public bool LastReloadSuccessful { get; private set; }

    /// <summary>When configuration was last loaded successfully.</summary>
    public DateTimeOffset LastReloadSuccess { get; private set; }

    /// <summary>When the host started (the first configuration was loaded).</summary>
    public DateTimeOffset Started { get; }

    /// <summary>When a reload was last attempted, or null when none was since start.</summary>
    public DateTimeOffset? LastReloadAttempt { get; private set; }

    /// <summary>Why the last reload failed, or null.</summary>
    public string? LastReloadError { get; private set; }

    /// <summary>
    /// The configuration file as last loaded (empty without a file, null when it could not be read). Kept whole to
    /// tell a change: a file of a few kilobytes costs less than loading the crypto library for a hash of it.
    /// </summary>
    public byte[]? ConfigurationContent { get; private set; }

    /// <summary>Whether the file on disk differs from the one last loaded.</summary>
    /// <returns>True when it changed.</returns>
    public bool FileChanged() => !SameContent(ReadFile(), ConfigurationContent);

    /// <summary>Reloads the configuration. On failure the running configuration stays.</summary>
    /// <returns>Null on success, otherwise the problems.</returns>
    public async Task<string?> ReloadAsync()
    {
        await _reloadLock.WaitAsync();
        try
        {
            LastReloadAttempt = _timeProvider.GetUtcNow();
            var content = ReadFile();
            ExporterConfiguration configuration;
            try
            {
                configuration = ExporterConfiguration.Load(_settings, _registry, _environment);
            }
            catch (ConfigurationException e)
            {
                LastReloadSuccessful = false;
                LastReloadError = _redactor.Redact(e.Message);
                ConfigurationContent = content;
                LogReloadFailed(_logger, LastReloadError.Replace(Environment.NewLine, "; ", StringComparison.Ordinal));
                return LastReloadError;
            }

            var previous = Current;
            var next = Build(configuration, previous);
            Volatile.Write(ref _current, next);
            ConfigurationContent = content;
            LastReloadSuccessful = true;
            LastReloadError = null;
            LastReloadSuccess = _timeProvider.GetUtcNow();
            LogReloaded(_logger, next.Instances.Count);
            RetireLater(previous, next);
            return null;
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Current.Instances)
        {
            await instance.DisposeAsync();
        }

        _reloadLock.Dispose();
    }

    private ExporterRuntime Build(ExporterConfiguration configuration, ExporterRuntime? previous)
    {
        var instances = new List<CollectorInstance>();
        foreach (var instance in configuration.Instances)
        {
            var kept = previous?.Find(instance.Name);
            if (kept is not null && SameConfiguration(kept.Configuration, instance))
            {
                instances.Add(kept);
                continue;
            }

            instances.Add(new CollectorInstance(instance, _loggerFactory, _timeProvider, _redactor));
        }

        return new ExporterRuntime(configuration, instances);
    }

    private static bool SameConfiguration(InstanceConfiguration a, InstanceConfiguration b) =>
        ReferenceEquals(a.Definition, b.Definition) && a.Fingerprint == b.Fingerprint;

    private void RetireLater(ExporterRuntime previous, ExporterRuntime next)
    {
        var retired = previous.Instances.Where(old => !next.Instances.Contains(old)).ToList();
        if (retired.Count == 0)
        {
            return;
        }

        // Scrapes that started before the swap may still use the old instances; let them finish first.
        var grace = retired.Max(i => i.Configuration.Options.Timeout.Value) + TimeSpan.FromSeconds(1);
        _ = Task.Run(async () =>
        {
            await Task.Delay(grace, _timeProvider);
            foreach (var instance in retired)
            {
                try
                {
                    await instance.DisposeAsync();
                }
#pragma warning disable CA1031 // A collector failing to close must not take the host down.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogDisposeFailed(_logger, instance.Name, _redactor.Redact(e.Message));
                }
            }
        });
    }

    private static bool SameContent(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private byte[]? ReadFile()
    {
        if (_settings.ConfigFile is not { } file)
        {
            return [];
        }

        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "configuration reload failed; keeping the running configuration: {Problems}")]
    private static partial void LogReloadFailed(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "configuration reloaded with {Instances} collector instances")]
    private static partial void LogReloaded(ILogger logger, int instances);

    [LoggerMessage(Level = LogLevel.Warning, Message = "closing collector {Collector} failed: {Error}")]
    private static partial void LogDisposeFailed(ILogger logger, string collector, string error);
}
