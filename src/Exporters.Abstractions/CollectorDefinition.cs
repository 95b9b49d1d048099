using System.Diagnostics.CodeAnalysis;

namespace Exporters.Abstractions;

/// <summary>
/// Describes a kind of collector to the host: its stable name, its options type, how to validate them and how to
/// create an instance. The host finds built-in definitions in code and external ones in plugin assemblies (any
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
    /// collector without a target. The collector writes it itself (as a <see cref="Metrics.GaugeDefinition"/>
    /// without labels); when a scrape fails or times out the host writes it as 0.
    /// </summary>
    public virtual string? UpMetricName => null;

    /// <summary>Command-line flags that configure the default instance (drop-in compatibility with other exporters).</summary>
    public virtual IReadOnlyList<CollectorFlag> Flags => [];

    /// <summary>The options class bound from the instance's configuration section.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public abstract Type OptionsType { get; }

    /// <summary>Checks bound options; each problem names its key.</summary>
    /// <param name="options">Options of <see cref="OptionsType"/>.</param>
    /// <param name="errors">Where problems go.</param>
    public abstract void Validate(CollectorOptions options, OptionErrors errors);

    /// <summary>Creates an instance from validated options.</summary>
    /// <param name="options">Options of <see cref="OptionsType"/> that passed <see cref="Validate"/>.</param>
    /// <param name="context">The instance's name, logging and clock.</param>
    /// <returns>The collector.</returns>
    public abstract ICollector Create(CollectorOptions options, CollectorCreationContext context);
}

/// <summary>Base class for collector definitions with a typed options class.</summary>
/// <typeparam name="TOptions">The options class; its public settable properties are the configuration keys.</typeparam>
public abstract class CollectorDefinition<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions> : CollectorDefinition
    where TOptions : CollectorOptions, new()
{
    /// <inheritdoc/>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public sealed override Type OptionsType => typeof(TOptions);

    /// <inheritdoc/>
    public sealed override void Validate(CollectorOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Validate(Cast(options), errors);
    }

    /// <inheritdoc/>
    public sealed override ICollector Create(CollectorOptions options, CollectorCreationContext context) => Create(Cast(options), context);

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
