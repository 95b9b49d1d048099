using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Configuration;

namespace Exporters.Passthrough;

/// <summary>How re-exposed families are selected and named; shared by every collector that embeds a passthrough.</summary>
public class PassthroughSettings
{
    /// <summary>The default <see cref="SeriesLimit"/>.</summary>
    public const int DefaultSeriesLimit = 20_000;

    /// <summary>Prepended to every re-exposed family name (for example <c>app_</c>), or empty to keep the target's names.</summary>
    [ConfigurationKeyName("prefix")]
    public string? Prefix { get; set; }

    /// <summary>Regular expressions (anchored) of family names to keep; empty keeps all. Matched before the prefix is added.</summary>
    [ConfigurationKeyName("allow_families")]
    public List<string> AllowFamilies { get; set; } = [];

    /// <summary>Regular expressions (anchored) of family names to drop; applied after <see cref="AllowFamilies"/>.</summary>
    [ConfigurationKeyName("deny_families")]
    public List<string> DenyFamilies { get; set; } = [];

    /// <summary>
    /// Whether to re-expose the target's <c>process_*</c> families when no <see cref="Prefix"/> is set. Off by default:
    /// the host serves its own <c>process_*</c> families under the same names, and two processes' series cannot share them.
    /// </summary>
    [ConfigurationKeyName("process_metrics")]
    public bool ProcessMetrics { get; set; }

    /// <summary>The most series one scrape re-exposes; the rest are dropped and counted. 0 means no limit.</summary>
    [ConfigurationKeyName("series_limit")]
    public int SeriesLimit { get; set; } = DefaultSeriesLimit;

    /// <summary>Creates the filter these settings describe.</summary>
    /// <returns>The filter.</returns>
    public FamilyFilter CreateFilter()
    {
        var deny = DenyFamilies.ToList();
        if (!ProcessMetrics && string.IsNullOrEmpty(Prefix))
        {
            deny.Add("process_.*");
        }

        return new FamilyFilter(AllowFamilies, deny);
    }

    /// <summary>Checks the settings; keys are reported under <paramref name="keyPrefix"/> (for example <c>passthrough.</c>).</summary>
    /// <param name="errors">Where problems go.</param>
    /// <param name="keyPrefix">Prepended to each key name.</param>
    public void Validate(OptionErrors errors, string keyPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!string.IsNullOrEmpty(Prefix) && !MetricNames.IsValidMetricName(Prefix))
        {
            errors.Add(keyPrefix + "prefix", $"'{Prefix}' is not a valid metric name prefix: use letters, digits, '_' and ':', not starting with a digit");
        }

        Check(AllowFamilies, keyPrefix + "allow_families", errors);
        Check(DenyFamilies, keyPrefix + "deny_families", errors);
        if (SeriesLimit < 0)
        {
            errors.Add(keyPrefix + "series_limit", $"must be 0 (no limit) or more, not {SeriesLimit}");
        }

        static void Check(List<string> patterns, string key, OptionErrors errors)
        {
            for (var i = 0; i < patterns.Count; i++)
            {
                if (!FamilyFilter.TryCompile(patterns[i], out var error))
                {
                    errors.Add($"{key}.{i}", $"'{patterns[i]}' is not a valid regular expression: {error}");
                }
            }
        }
    }
}
