using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;
using Exporters.Hosting.SelfMetrics;

namespace Exporters.Hosting.Web;

/// <summary>What the status page shows, read from the running host at one moment; rendering it reads nothing else.</summary>
/// <param name="Now">When it was taken.</param>
/// <param name="Host">The host.</param>
/// <param name="Instances">The collector instances, in configuration order.</param>
internal sealed record StatusSnapshot(DateTimeOffset Now, HostStatus Host, IReadOnlyList<InstanceStatus> Instances)
{
    /// <summary>Reads the running host.</summary>
    /// <param name="manager">The runtime manager.</param>
    /// <param name="settings">Process settings.</param>
    /// <param name="now">The current time.</param>
    /// <param name="residentMemoryBytes">The process' resident memory, or null when unknown.</param>
    /// <returns>The snapshot.</returns>
    public static StatusSnapshot Capture(RuntimeManager manager, HostSettings settings, DateTimeOffset now, long? residentMemoryBytes)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(settings);
        var runtime = manager.Current;
        var probe = runtime.Configuration.Probe;
        var host = new HostStatus
        {
            Version = BuildInfo.Version,
            Revision = BuildInfo.Revision,
            DotnetVersion = BuildInfo.DotnetVersion,
            Started = manager.Started,
            ResidentMemoryBytes = residentMemoryBytes,
            TelemetryPath = settings.TelemetryPath,
            ConfigFile = settings.ConfigFile,
            LastLoaded = manager.LastReloadSuccess,
            LastReloadAttempt = manager.LastReloadAttempt,
            LastReloadSuccessful = manager.LastReloadSuccessful,
            LastReloadError = manager.LastReloadError,
            ProbeEnabled = probe.Enabled,
            ProbeAllowedTargets = [.. probe.AllowedTargets],
        };
        var instances = new List<InstanceStatus>(runtime.Instances.Count);
        foreach (var instance in runtime.Instances)
        {
            var options = instance.Configuration.Options;
            instances.Add(new InstanceStatus
            {
                Name = instance.Name,
                Type = instance.Definition.Name,
                Target = instance.DisplayTarget,
                Last = instance.Last,
                History = instance.History.Snapshot(),
                LastProblem = instance.Problems.Last,
                Timeout = options.Timeout,
                MinInterval = options.MinInterval,
                SingleFlight = options.SingleFlight,
                MaxSeries = options.MaxSeries,
                CollectorRunning = instance.CollectorRunning,
                ScrapesTotal = instance.ScrapesTotal,
                FailuresTotal = instance.FailuresTotal,
                DroppedTotal = instance.DroppedTotal,
                CacheHits = instance.History.CacheHits,
            });
        }

        return new StatusSnapshot(now, host, instances);
    }

    /// <summary>The resident memory of this process, or null where it cannot be read.</summary>
    /// <returns>Bytes.</returns>
    public static long? ReadResidentMemory()
    {
        try
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
        catch (Exception e) when (e is InvalidOperationException or PlatformNotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>The host's side of the status page.</summary>
internal sealed record HostStatus
{
    /// <summary>The product version.</summary>
    public required string Version { get; init; }

    /// <summary>The source revision.</summary>
    public required string Revision { get; init; }

    /// <summary>The .NET runtime version.</summary>
    public required string DotnetVersion { get; init; }

    /// <summary>When the host started.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>Resident memory of the process, or null when unknown.</summary>
    public long? ResidentMemoryBytes { get; init; }

    /// <summary>The merged metrics path.</summary>
    public required string TelemetryPath { get; init; }

    /// <summary>The configuration file, or null.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>When configuration was last loaded successfully.</summary>
    public required DateTimeOffset LastLoaded { get; init; }

    /// <summary>When a reload was last attempted, or null.</summary>
    public DateTimeOffset? LastReloadAttempt { get; init; }

    /// <summary>Whether the last reload succeeded.</summary>
    public required bool LastReloadSuccessful { get; init; }

    /// <summary>Why the last reload failed, or null.</summary>
    public string? LastReloadError { get; init; }

    /// <summary>Whether <c>/probe</c> is enabled.</summary>
    public required bool ProbeEnabled { get; init; }

    /// <summary>The targets <c>/probe</c> may scrape.</summary>
    public required IReadOnlyList<string> ProbeAllowedTargets { get; init; }
}

/// <summary>One collector instance on the status page.</summary>
internal sealed record InstanceStatus
{
    /// <summary>The instance name.</summary>
    public required string Name { get; init; }

    /// <summary>The collector type.</summary>
    public required string Type { get; init; }

    /// <summary>The target, credentials removed, or null.</summary>
    public string? Target { get; init; }

    /// <summary>The last scrape of the configured target, or null before the first.</summary>
    public ScrapeOutcome? Last { get; init; }

    /// <summary>The last scrapes, oldest first.</summary>
    public required IReadOnlyList<ScrapeRecord> History { get; init; }

    /// <summary>The last warning or error the collector logged, or null.</summary>
    public LoggedProblem? LastProblem { get; init; }

    /// <summary>The configured timeout.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The configured <c>min_interval</c> (zero when off).</summary>
    public required TimeSpan MinInterval { get; init; }

    /// <summary>Whether concurrent scrapes share one fetch.</summary>
    public required bool SingleFlight { get; init; }

    /// <summary>The configured <c>max_series</c>.</summary>
    public required int MaxSeries { get; init; }

    /// <summary>Whether a call into the collector is running now.</summary>
    public bool CollectorRunning { get; init; }

    /// <summary>Scrapes run since start.</summary>
    public long ScrapesTotal { get; init; }

    /// <summary>Scrapes failed since start.</summary>
    public long FailuresTotal { get; init; }

    /// <summary>Series dropped by the cap since start.</summary>
    public long DroppedTotal { get; init; }

    /// <summary>Requests answered from the <c>min_interval</c> cache since start.</summary>
    public long CacheHits { get; init; }
}
