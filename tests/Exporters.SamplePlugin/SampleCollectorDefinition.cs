using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Exporters.SamplePlugin;

/// <summary>Options of the sample collector.</summary>
public sealed partial class SampleOptions : CollectorOptions
{
    /// <summary>A pretend target address, reported back in a label.</summary>
    [ConfigurationKeyName("address")]
    public string? Address { get; set; }

    /// <summary>How many <c>sample_value</c> series to write.</summary>
    [ConfigurationKeyName("series")]
    public int Series { get; set; } = 3;

    /// <summary>How long each scrape takes.</summary>
    [ConfigurationKeyName("delay")]
    public Duration Delay { get; set; }

    /// <summary>Whether the delay ignores the deadline, as a badly written collector would.</summary>
    [ConfigurationKeyName("ignore_deadline")]
    public bool IgnoreDeadline { get; set; }

    /// <summary>Whether every scrape throws.</summary>
    [ConfigurationKeyName("fail")]
    public bool Fail { get; set; }

    /// <summary>Whether the target is down: the scrape succeeds and reports <c>sample_up 0</c>, as a collector does when its target does not answer.</summary>
    [ConfigurationKeyName("down")]
    public bool Down { get; set; }

    /// <summary>A credential that must never be shown.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <inheritdoc/>
    public override string? GetTarget() => Address;
}

/// <summary>The sample collector's definition: name <c>sample</c>, up metric <c>sample_up</c>.</summary>
public sealed class SampleCollectorDefinition : CollectorDefinition<SampleOptions>
{
    /// <inheritdoc/>
    public override string Name => "sample";

    /// <inheritdoc/>
    public override string Description => "Writes one family of every metric type; can be slow, hang or fail on purpose.";

    /// <inheritdoc/>
    public override string? UpMetricName => "sample_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags { get; } =
    [
        new("sample.address", "address", "SAMPLE_ADDRESS", "Pretend target address."),
        new("sample.fail", "fail", null, "Make every scrape fail.", IsSwitch: true),
    ];

    /// <inheritdoc/>
    protected override void Validate(SampleOptions options, OptionErrors errors)
    {
        if (options.Series is < 0 or > 1_000_000)
        {
            errors.Add("series", "must be between 0 and 1000000");
        }
    }

    /// <inheritdoc/>
    protected override ICollector Create(SampleOptions options, CollectorCreationContext context) => new SampleCollector(options);
}
