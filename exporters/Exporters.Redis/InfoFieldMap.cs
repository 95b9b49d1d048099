using System.Collections.Frozen;

namespace Exporters.Redis;

/// <summary>INFO fields exported under redis_exporter's names and types.</summary>
internal static partial class InfoFieldMap
{
    /// <summary>Field name to metric name (without namespace) and whether it is a counter.</summary>
    public static readonly FrozenDictionary<string, (string Metric, bool Counter)> Fields =
        Entries().ToFrozenDictionary(e => e.Field, e => (e.Metric, e.Counter), StringComparer.Ordinal);

    /// <summary>
    /// Fields whose unit redis_exporter converts: the exported name and the factor to base units. These take
    /// precedence over <see cref="Fields"/>.
    /// </summary>
    public static readonly FrozenDictionary<string, (string Metric, double Scale)> Converted =
        new Dictionary<string, (string Metric, double Scale)>(StringComparer.Ordinal)
        {
            ["latest_fork_usec"] = ("latest_fork_seconds", 1e-6),
        }.ToFrozenDictionary(StringComparer.Ordinal);
}
