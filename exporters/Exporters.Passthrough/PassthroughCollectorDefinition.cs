using Exporters.Abstractions;

namespace Exporters.Passthrough;

/// <summary>
/// The <c>passthrough</c> collector: re-exposes the metrics an application already serves on a local HTTP port
/// (Prometheus text or OpenMetrics), so the sidecar's one port, with its TLS and authentication, serves them too.
/// </summary>
public sealed class PassthroughCollectorDefinition : CollectorDefinition<PassthroughOptions>
{
    /// <inheritdoc/>
    public override string Name => "passthrough";

    /// <inheritdoc/>
    public override string Description => "Re-exposes an application's own Prometheus or OpenMetrics endpoint (ambassador pattern).";

    /// <inheritdoc/>
    public override string? UpMetricName => "passthrough_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags { get; } =
    [
        new("passthrough.uri", "uri", "PASSTHROUGH_URI", "Metrics URI of the application to re-expose, e.g. http://localhost:8080/metrics."),
        new("passthrough.prefix", "prefix", "PASSTHROUGH_PREFIX", "Prefix added to every re-exposed family name."),
        new("passthrough.timeout", "timeout", "PASSTHROUGH_TIMEOUT", "Longest a fetch of the application's metrics may take."),
    ];

    /// <inheritdoc/>
    protected override void Validate(PassthroughOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!TargetUri.TryParse(options.Uri, out _, out var error))
        {
            errors.Add("uri", error!);
        }

        options.ToSettings().Validate(errors);
    }

    /// <inheritdoc/>
    protected override ICollector Create(PassthroughOptions options, CollectorCreationContext context) => new PassthroughCollector(options);
}
