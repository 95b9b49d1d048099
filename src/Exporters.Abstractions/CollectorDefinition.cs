using Exporters.Abstractions.Metrics;

namespace Exporters.Abstractions;

/// <summary>
/// Describes a kind of collector to the host: its stable name, its options, how to validate them and how to create
/// an instance. A collector package registers its definition with an <see cref="IExporterBuilder"/> extension
/// (<c>builder.AddRedis()</c>); the JIT flavour of the host can also find definitions in plugin assemblies (any
/// public, non-abstract subclass with a parameterless constructor).
/// </summary>
/// <remarks>Derive from <see cref="CollectorDefinition{TOptions}"/> rather than from this class.</remarks>
public abstract class CollectorDefinition
{
    /// <summary>The stable name, lowercase letters, digits and underscores, for example <c>redis</c>. It is the default configuration key and the value of the <c>collector</c> label.</summary>
    public abstract string Name { get; }

    /// <summary>One line saying what the collector scrapes.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The gauge that says whether the target answered, for example <c>redis_up</c>, or <see langword="null"/> for a
    /// collector without a target. The collector writes it itself (as a <see cref="GaugeDefinition"/> without
    /// labels); when a scrape fails or times out the host writes it as 0. An instance whose options rename it (a
    /// metric namespace) says so through <see cref="GetUpMetricName"/>.
    /// </summary>
    public virtual string? UpMetricName => null;

    /// <summary>Command-line flags that configure the default instance (drop-in compatibility with other exporters).</summary>
    public virtual IReadOnlyList<CollectorFlag> Flags => [];

    /// <summary>
    /// The up metric of one instance: <see cref="UpMetricName"/> unless its options rename it. The host writes this
    /// name and no other when the instance's scrape fails, so a collector that renames its families must override it.
    /// </summary>
    /// <param name="options">The instance's validated options.</param>
    /// <returns>The metric name, or <see langword="null"/> for none.</returns>
    public virtual string? GetUpMetricName(CollectorOptions options) => UpMetricName;

    /// <summary>Creates options with every default, for the host to bind the instance's configuration onto.</summary>
    /// <returns>The options.</returns>
    public abstract CollectorOptions CreateOptions();

    /// <summary>
    /// Checks bound options the way the host does at start-up and reload: the keys every instance has
    /// (<c>timeout</c>, <c>max_series</c>, <c>labels</c>), then the collector's own rules. Each problem names its key.
    /// </summary>
    /// <param name="options">Options from <see cref="CreateOptions"/>, bound.</param>
    /// <param name="errors">Where problems go.</param>
    public void Validate(CollectorOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Timeout.IsZero)
        {
            errors.Add("timeout", "must be above zero");
        }

        if (options.MaxSeries <= 0)
        {
            errors.Add("max_series", "must be above zero");
        }

        foreach (var label in options.Labels.Keys)
        {
            if (!MetricNames.IsValidLabelName(label))
            {
                errors.Add($"labels.{label}", "is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with '__')");
            }
        }

        ValidateOptions(options, errors);
    }

    /// <summary>Creates an instance from validated options.</summary>
    /// <param name="options">Options from <see cref="CreateOptions"/> that passed <see cref="Validate"/>.</param>
    /// <param name="context">The instance's name, logging and clock.</param>
    /// <returns>The collector.</returns>
    public abstract ICollector Create(CollectorOptions options, CollectorCreationContext context);

    /// <summary>The collector's own checks of bound options; each problem names its key.</summary>
    /// <param name="options">The options.</param>
    /// <param name="errors">Where problems go.</param>
    protected abstract void ValidateOptions(CollectorOptions options, OptionErrors errors);
}

/// <summary>Base class for collector definitions with a typed options class.</summary>
/// <typeparam name="TOptions">
/// The options class: <see langword="partial"/>, deriving from <see cref="CollectorOptions"/>; its public settable
/// properties are the configuration keys, and its binder is generated at compile time.
/// </typeparam>
public abstract class CollectorDefinition<TOptions> : CollectorDefinition
    where TOptions : CollectorOptions, new()
{
    /// <inheritdoc/>
    public sealed override CollectorOptions CreateOptions() => new TOptions();

    /// <inheritdoc/>
    public sealed override string? GetUpMetricName(CollectorOptions options) => GetUpMetricName(Cast(options));

    /// <inheritdoc/>
    public sealed override ICollector Create(CollectorOptions options, CollectorCreationContext context) => Create(Cast(options), context);

    /// <inheritdoc/>
    protected sealed override void ValidateOptions(CollectorOptions options, OptionErrors errors) => Validate(Cast(options), errors);

    /// <summary>The up metric of one instance; <see cref="CollectorDefinition.UpMetricName"/> unless overridden.</summary>
    /// <param name="options">The instance's options.</param>
    /// <returns>The metric name, or <see langword="null"/>.</returns>
    protected virtual string? GetUpMetricName(TOptions options) => UpMetricName;

    /// <summary>Checks bound options; each problem names its key. The default accepts everything.</summary>
    /// <param name="options">The options.</param>
    /// <param name="errors">Where problems go.</param>
    protected virtual void Validate(TOptions options, OptionErrors errors)
    {
    }

    /// <summary>Creates an instance from validated options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="context">The instance's name, logging and clock.</param>
    /// <returns>The collector.</returns>
    protected abstract ICollector Create(TOptions options, CollectorCreationContext context);

    private static TOptions Cast(CollectorOptions options) => options as TOptions
        ?? throw new ArgumentException($"options must be {typeof(TOptions).Name}, not {options?.GetType().Name ?? "null"}", nameof(options));
}
