using System.Buffers;
using System.Runtime.CompilerServices;

namespace Exporters.Abstractions.Metrics;

/// <summary>
/// Records the samples of one collector for one scrape and checks each against its family's definition.
/// </summary>
/// <remarks>
/// <para>A sample with the wrong number of label values is a bug in the collector and throws
/// <see cref="ArgumentException"/>. A sample that would make the output invalid because of the data it carries
/// (a second series with the same labels, a negative or NaN counter, histogram buckets that are not cumulative or
/// repeat a bound, summary quantiles that repeat) is dropped, counted in <see cref="RejectedSamples"/> and described
/// in <see cref="LastRejection"/>; the rest of the scrape is kept.</para>
/// <para>Two families of one scrape must not take a common name in the output (see
/// <see cref="MetricDefinition.ExpositionNames"/>): the same name declared twice, or a family named like a sample
/// of another (a gauge <c>x_sum</c> beside a summary or histogram <c>x</c>), throws <see cref="ArgumentException"/>
/// on the first write of the second family, which is then left out, so no collector can make one batch hold a
/// series twice.</para>
/// <para>Families stay contiguous in the output however writes are interleaved.</para>
/// <para>Not thread-safe: a collector that collects in parallel writes after its tasks have joined.</para>
/// </remarks>
public sealed class MetricWriter
{
    private readonly Dictionary<MetricDefinition, MetricFamilyData> _families;
    private readonly Dictionary<string, MetricDefinition> _names;
    private MetricDefinition? _lastDefinition;
    private MetricFamilyData? _lastFamily;

    /// <summary>Creates a writer without a series cap.</summary>
    public MetricWriter()
        : this(int.MaxValue, 0)
    {
    }

    /// <summary>Creates a writer that keeps at most <paramref name="maxSeries"/> series.</summary>
    /// <param name="maxSeries">The series cap; excess series are dropped and counted in <see cref="DroppedSeries"/>.</param>
    public MetricWriter(int maxSeries)
        : this(maxSeries, 0)
    {
    }

    /// <summary>
    /// Creates a writer that keeps at most <paramref name="maxSeries"/> series and has room for
    /// <paramref name="expectedFamilies"/> families before it grows its tables (the host passes the count of the
    /// previous scrape, so a steady scrape does not regrow them every time).
    /// </summary>
    /// <param name="maxSeries">The series cap; excess series are dropped and counted in <see cref="DroppedSeries"/>.</param>
    /// <param name="expectedFamilies">Families the scrape is expected to write; a hint, not a limit.</param>
    public MetricWriter(int maxSeries, int expectedFamilies)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeries);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedFamilies);
        MaxSeries = maxSeries;
        _families = new(expectedFamilies, ReferenceEqualityComparer.Instance);
        _names = new(expectedFamilies, StringComparer.Ordinal);
        Batch = new MetricBatch(expectedFamilies);
    }

    /// <summary>The series cap given at construction.</summary>
    public int MaxSeries { get; }

    /// <summary>What has been recorded so far.</summary>
    public MetricBatch Batch { get; }

    /// <summary>Samples dropped because their data would have made the output invalid.</summary>
    public int RejectedSamples { get; private set; }

    /// <summary>Why the most recent sample was rejected, or <see langword="null"/>.</summary>
    public string? LastRejection { get; private set; }

    /// <summary>Series dropped because the batch reached <see cref="MaxSeries"/>.</summary>
    public int DroppedSeries { get; private set; }

    /// <summary>Whether any sample of <paramref name="definition"/> has been written.</summary>
    /// <param name="definition">The family.</param>
    /// <returns><see langword="true"/> if the family holds at least one series.</returns>
    public bool HasFamily(MetricDefinition definition) => _families.ContainsKey(definition);

    /// <summary>
    /// Releases the lookup tables kept to detect duplicate series, for a writer whose collector has finished writing:
    /// about a quarter of the memory a large batch holds. Writing afterwards still works (and still rejects
    /// duplicates); the tables are rebuilt on the next write. The host calls this when a scrape ends.
    /// </summary>
    public void TrimExcess()
    {
        foreach (var family in Batch.Families)
        {
            family.ReleaseIndex();
        }
    }

    /// <summary>Writes a gauge sample.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="value">The value (NaN and infinities allowed).</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(GaugeDefinition definition, double value, params ReadOnlySpan<string> labelValues)
    {
        var family = Family(definition, labelValues.Length);
        Append(family, labelValues, null, [value]);
    }

    /// <summary>Writes a counter sample; negative and NaN values are rejected.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="value">The running total.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(CounterDefinition definition, double value, params ReadOnlySpan<string> labelValues)
    {
        var family = Family(definition, labelValues.Length);
        if (!(value >= 0))
        {
            Reject(definition, $"counter value {value} is negative or NaN");
            return;
        }

        Append(family, labelValues, null, [value]);
    }

    /// <summary>Writes an info sample (value 1).</summary>
    /// <param name="definition">The family.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(InfoDefinition definition, params ReadOnlySpan<string> labelValues)
    {
        var family = Family(definition, labelValues.Length);
        Append(family, labelValues, null, []);
    }

    /// <summary>Writes one state of a state set.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="state">The state name, the value of the label named after the family.</param>
    /// <param name="enabled">Whether the state holds.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(StateSetDefinition definition, string state, bool enabled, params ReadOnlySpan<string> labelValues)
    {
        ArgumentNullException.ThrowIfNull(state);
        var family = Family(definition, labelValues.Length);
        Append(family, labelValues, state, [enabled ? 1 : 0]);
    }

    /// <summary>Writes every state of a state set, with <paramref name="current"/> the one that holds.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="states">All states.</param>
    /// <param name="current">The state that holds, or <see langword="null"/> for none.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void WriteStates(StateSetDefinition definition, IReadOnlyList<string> states, string? current, params ReadOnlySpan<string> labelValues)
    {
        ArgumentNullException.ThrowIfNull(states);
        foreach (var state in states)
        {
            Write(definition, state, string.Equals(state, current, StringComparison.Ordinal), labelValues);
        }
    }

    /// <summary>Writes a histogram sample. A <c>+Inf</c> bucket equal to <paramref name="count"/> is added when missing.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="buckets">Cumulative buckets in increasing bound order.</param>
    /// <param name="sum">Sum of observations.</param>
    /// <param name="count">Number of observations.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(HistogramDefinition definition, ReadOnlySpan<HistogramBucket> buckets, double sum, double count, params ReadOnlySpan<string> labelValues)
    {
        var family = Family(definition, labelValues.Length);
        if (!(count >= 0))
        {
            Reject(definition, $"histogram count {count} is negative or NaN");
            return;
        }

        var hasInf = buckets.Length > 0 && double.IsPositiveInfinity(buckets[^1].UpperBound);
        var length = 2 + (2 * (buckets.Length + (hasInf ? 0 : 1)));
        var rented = ArrayPool<double>.Shared.Rent(length);
        try
        {
            var payload = rented.AsSpan(0, length);
            payload[0] = sum;
            payload[1] = count;
            var previousBound = double.NegativeInfinity;
            var previousCount = 0d;
            for (var i = 0; i < buckets.Length; i++)
            {
                var bucket = buckets[i];
                if (double.IsNaN(bucket.UpperBound) || bucket.UpperBound <= previousBound || !(bucket.CumulativeCount >= previousCount))
                {
                    Reject(definition, $"histogram bucket le={bucket.UpperBound} is out of order or not cumulative");
                    return;
                }

                previousBound = bucket.UpperBound;
                previousCount = bucket.CumulativeCount;
                payload[2 + (2 * i)] = bucket.UpperBound;
                payload[3 + (2 * i)] = bucket.CumulativeCount;
            }

            if (previousCount > count || (hasInf && previousCount != count))
            {
                Reject(definition, $"histogram +Inf bucket {previousCount} differs from count {count}");
                return;
            }

            if (!hasInf)
            {
                payload[^2] = double.PositiveInfinity;
                payload[^1] = count;
            }

            Append(family, labelValues, null, payload);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>Writes a summary sample.</summary>
    /// <param name="definition">The family.</param>
    /// <param name="quantiles">Quantiles between 0 and 1 in increasing order.</param>
    /// <param name="sum">Sum of observations.</param>
    /// <param name="count">Number of observations.</param>
    /// <param name="labelValues">One value per declared label, in order.</param>
    public void Write(SummaryDefinition definition, ReadOnlySpan<SummaryQuantile> quantiles, double sum, double count, params ReadOnlySpan<string> labelValues)
    {
        var family = Family(definition, labelValues.Length);
        if (!(count >= 0))
        {
            Reject(definition, $"summary count {count} is negative or NaN");
            return;
        }

        var length = 2 + (2 * quantiles.Length);
        var rented = ArrayPool<double>.Shared.Rent(length);
        try
        {
            var payload = rented.AsSpan(0, length);
            payload[0] = sum;
            payload[1] = count;
            var previous = -1d;
            for (var i = 0; i < quantiles.Length; i++)
            {
                var q = quantiles[i];
                if (!(q.Quantile >= 0 && q.Quantile <= definition.MaxQuantile) || q.Quantile <= previous)
                {
                    Reject(definition, $"summary quantile {q.Quantile} is outside [0, {definition.MaxQuantile}] or out of order");
                    return;
                }

                previous = q.Quantile;
                payload[2 + (2 * i)] = q.Quantile;
                payload[3 + (2 * i)] = q.Value;
            }

            Append(family, labelValues, null, payload);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Writes one series from a payload in the stored layout (see <see cref="MetricFamilyData"/>), checked as the typed
    /// <c>Write</c> of <paramref name="definition"/>'s type would check it. For copying a series out of another batch,
    /// possibly under a definition with more labels.
    /// </summary>
    /// <param name="definition">The family; any type.</param>
    /// <param name="payload">The payload, laid out as <see cref="MetricFamilyData.GetPayload"/> returns it for this type.</param>
    /// <param name="labelValues">One value per declared label, in order; a state set's state comes last, as
    /// <see cref="MetricFamilyData.GetLabelValues"/> returns it.</param>
    /// <exception cref="ArgumentException">The payload is too short for the type, or the label count is wrong.</exception>
    public void WriteSeries(MetricDefinition definition, ReadOnlySpan<double> payload, params ReadOnlySpan<string> labelValues)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var minimum = definition.Type switch
        {
            MetricType.Info => 0,
            MetricType.Histogram or MetricType.Summary => 2,
            _ => 1,
        };
        if (payload.Length < minimum || (minimum == 2 && payload.Length % 2 != 0))
        {
            throw new ArgumentException($"metric '{definition.Name}': a {definition.Type} payload of {payload.Length} values does not have the stored layout", nameof(payload));
        }

        switch (definition)
        {
            case GaugeDefinition gauge:
                Write(gauge, payload[0], labelValues);
                break;
            case CounterDefinition counter:
                Write(counter, payload[0], labelValues);
                break;
            case InfoDefinition info:
                Write(info, labelValues);
                break;
            case StateSetDefinition stateSet:
                if (labelValues.IsEmpty)
                {
                    throw new ArgumentException($"metric '{definition.Name}': a state set series needs its state as the last label value", nameof(labelValues));
                }

                Write(stateSet, labelValues[^1], payload[0] != 0, labelValues[..^1]);
                break;
            case HistogramDefinition histogram:
                var buckets = new HistogramBucket[(payload.Length - 2) / 2];
                for (var i = 0; i < buckets.Length; i++)
                {
                    buckets[i] = new HistogramBucket(payload[2 + (2 * i)], payload[3 + (2 * i)]);
                }

                Write(histogram, buckets, payload[0], payload[1], labelValues);
                break;
            case SummaryDefinition summary:
                var quantiles = new SummaryQuantile[(payload.Length - 2) / 2];
                for (var i = 0; i < quantiles.Length; i++)
                {
                    quantiles[i] = new SummaryQuantile(payload[2 + (2 * i)], payload[3 + (2 * i)]);
                }

                Write(summary, quantiles, payload[0], payload[1], labelValues);
                break;
            default:
                throw new ArgumentException($"metric '{definition.Name}': {definition.GetType().Name} is not a family type this writer knows", nameof(definition));
        }
    }

    /// <summary>
    /// Moves everything <paramref name="source"/> recorded into this writer, as if it had been written here, and leaves
    /// <paramref name="source"/> empty: for a collector that writes parts of a scrape to writers of their own and keeps
    /// only the parts that succeeded. A family this writer has not written yet is taken over whole, without copying its
    /// series, so a large part costs no second copy of itself; a family both hold is merged series by series, with
    /// duplicates rejected. The series cap, rejections and name clashes apply as for writes, and the source's own
    /// rejected and dropped counts are added to this writer's.
    /// </summary>
    /// <param name="source">The writer to empty into this one; it can be written to again afterwards.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is this writer, or one of its families clashes by
    /// name with a different family here (the rest of <paramref name="source"/> is then left where it is).</exception>
    public void MoveFrom(MetricWriter source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (ReferenceEquals(source, this))
        {
            throw new ArgumentException("a writer cannot move its series into itself", nameof(source));
        }

        var families = source.Batch.Families;
        for (var f = 0; f < families.Count; f++)
        {
            var family = families[f];
            var definition = family.Definition;
            if (!_families.ContainsKey(definition) && (long)Batch.SeriesCount + family.SeriesCount <= MaxSeries)
            {
                foreach (var name in definition.Names)
                {
                    if (_names.TryGetValue(name, out var existing))
                    {
                        source.RemoveFirst(f);
                        throw Collision(definition, existing, name);
                    }
                }

                _families.Add(definition, family);
                foreach (var name in definition.Names)
                {
                    _names.Add(name, definition);
                }

                Batch.Add(family);
                Batch.SeriesCount += family.SeriesCount;
                continue;
            }

            for (var i = 0; i < family.SeriesCount; i++)
            {
                WriteSeries(definition, family.GetPayload(i), family.GetLabelValues(i));
            }
        }

        RejectedSamples += source.RejectedSamples;
        DroppedSeries += source.DroppedSeries;
        LastRejection = source.LastRejection ?? LastRejection;
        source.RemoveFirst(families.Count);
        source.RejectedSamples = 0;
        source.DroppedSeries = 0;
        source.LastRejection = null;
    }

    /// <summary>Forgets the first <paramref name="count"/> families, which another writer now holds.</summary>
    private void RemoveFirst(int count)
    {
        var families = Batch.Families;
        for (var i = 0; i < count; i++)
        {
            var definition = families[i].Definition;
            _families.Remove(definition);
            foreach (var name in definition.Names)
            {
                _names.Remove(name);
            }
        }

        Batch.RemoveFirst(count);
        _lastDefinition = null;
        _lastFamily = null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MetricFamilyData Family(MetricDefinition definition, int labelCount)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (labelCount != definition.LabelCount)
        {
            throw new ArgumentException($"metric '{definition.Name}' declares {definition.LabelCount} labels but the sample has {labelCount} values", nameof(labelCount));
        }

        if (ReferenceEquals(definition, _lastDefinition))
        {
            return _lastFamily!;
        }

        if (!_families.TryGetValue(definition, out var family))
        {
            var names = definition.Names;
            foreach (var name in names)
            {
                if (_names.TryGetValue(name, out var existing))
                {
                    throw Collision(definition, existing, name);
                }
            }

            family = new MetricFamilyData(definition);
            _families.Add(definition, family);
            foreach (var name in names)
            {
                _names.Add(name, definition);
            }

            Batch.Add(family);
        }

        _lastDefinition = definition;
        _lastFamily = family;
        return family;
    }

    private static ArgumentException Collision(MetricDefinition definition, MetricDefinition existing, string name) =>
        string.Equals(existing.Name, definition.Name, StringComparison.Ordinal)
            ? new ArgumentException($"metric '{definition.Name}' is declared twice in one scrape ({existing} and {definition}); share one definition", nameof(definition))
            : new ArgumentException($"metric '{definition.Name}' clashes with '{existing.Name}' in one scrape: {definition} and {existing} both take the name '{name}' in the output; rename one", nameof(definition));

    private void Append(MetricFamilyData family, ReadOnlySpan<string> labelValues, string? extraLabel, ReadOnlySpan<double> payload)
    {
        if (Batch.SeriesCount >= MaxSeries)
        {
            DroppedSeries++;
            return;
        }

        if (!family.TryAdd(labelValues, extraLabel, payload))
        {
            Reject(family.Definition, "duplicate series (same label values written twice in one scrape)");
            return;
        }

        Batch.SeriesCount++;
    }

    private void Reject(MetricDefinition definition, string reason)
    {
        RejectedSamples++;
        LastRejection = $"{definition.Name}: {reason}";
    }
}
