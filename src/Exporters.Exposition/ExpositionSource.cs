using Exporters.Abstractions.Metrics;

namespace Exporters.Exposition;

/// <summary>One batch to render, with labels added to each of its series and text appended to its HELP lines.</summary>
/// <param name="Batch">The batch.</param>
/// <param name="ExtraLabels">Labels appended to every series (constant labels of a collector instance), or null.</param>
/// <param name="HelpSuffix">Text appended to HELP (for example that the data may be cached), or null.</param>
public readonly record struct ExpositionSource(MetricBatch Batch, IReadOnlyList<KeyValuePair<string, string>>? ExtraLabels = null, string? HelpSuffix = null);
