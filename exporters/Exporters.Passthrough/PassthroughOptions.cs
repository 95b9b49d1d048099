using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Exporters.Passthrough;

/// <summary>Options of the <c>passthrough</c> collector.</summary>
public sealed partial class PassthroughOptions : CollectorOptions
{
    /// <summary>The target's metrics URI, for example <c>http://localhost:8080/metrics</c>.</summary>
    [ConfigurationKeyName("uri")]
    public string? Uri { get; set; }

    /// <summary>Prepended to every re-exposed family name, or empty.</summary>
    [ConfigurationKeyName("prefix")]
    public string? Prefix { get; set; }

    /// <summary>Regular expressions of family names to keep (empty: all).</summary>
    [ConfigurationKeyName("allow_families")]
    public List<string> AllowFamilies { get; set; } = [];

    /// <summary>Regular expressions of family names to drop.</summary>
    [ConfigurationKeyName("deny_families")]
    public List<string> DenyFamilies { get; set; } = [];

    /// <summary>Whether to re-expose the target's <c>process_*</c> families without a prefix (they clash with the host's own).</summary>
    [ConfigurationKeyName("process_metrics")]
    public bool ProcessMetrics { get; set; }

    /// <summary>The most series one scrape re-exposes (0: no limit).</summary>
    [ConfigurationKeyName("series_limit")]
    public int SeriesLimit { get; set; } = PassthroughSettings.DefaultSeriesLimit;

    /// <inheritdoc/>
    public override string? GetTarget() => Uri;

    /// <summary>The selection settings these options describe.</summary>
    /// <returns>The settings.</returns>
    public PassthroughSettings ToSettings() => new()
    {
        Prefix = Prefix,
        AllowFamilies = AllowFamilies,
        DenyFamilies = DenyFamilies,
        SeriesLimit = SeriesLimit,
        ProcessMetrics = ProcessMetrics,
    };
}
