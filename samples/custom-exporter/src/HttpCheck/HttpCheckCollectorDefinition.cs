using Exporters.Abstractions;

namespace HttpCheck;

/// <summary>The <c>http_check</c> collector: name, flags, validation and creation.</summary>
public sealed class HttpCheckCollectorDefinition : CollectorDefinition<HttpCheckOptions>
{
    /// <inheritdoc/>
    public override string Name => "http_check";

    /// <inheritdoc/>
    public override string Description => "Checks that a local HTTP URL answers with the expected status.";

    /// <inheritdoc/>
    public override string? UpMetricName => "http_check_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags { get; } =
    [
        new("http-check.url", "url", "HTTP_CHECK_URL", "URL to check."),
        new("http-check.expected-status", "expected_status", "HTTP_CHECK_EXPECTED_STATUS", "Status that counts as healthy."),
    ];

    /// <inheritdoc/>
    protected override void Validate(HttpCheckOptions options, OptionErrors errors)
    {
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add("url", $"'{options.Url}' is not an http or https URL");
        }

        if (options.ExpectedStatus is < 100 or > 599)
        {
            errors.Add("expected_status", "must be an HTTP status, 100 to 599");
        }
    }

    /// <inheritdoc/>
    protected override ICollector Create(HttpCheckOptions options, CollectorCreationContext context) => new HttpCheckCollector(options);
}
