namespace Exporters.Abstractions.Metrics;

/// <summary>The OpenMetrics metric types a collector can declare.</summary>
public enum MetricType
{
    /// <summary>A value that can go up and down.</summary>
    Gauge,

    /// <summary>A monotonically increasing total.</summary>
    Counter,

    /// <summary>Constant-1 metadata carried in labels; the name ends in <c>_info</c>.</summary>
    Info,

    /// <summary>A set of named boolean states, one series per state.</summary>
    StateSet,

    /// <summary>Cumulative buckets with a sum and a count.</summary>
    Histogram,

    /// <summary>Quantiles with a sum and a count.</summary>
    Summary,
}
