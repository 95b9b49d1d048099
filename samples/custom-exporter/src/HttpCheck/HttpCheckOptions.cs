using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace HttpCheck;

/// <summary>Options of one HTTP check: its keys under <c>collectors.http_check</c>.</summary>
public sealed partial class HttpCheckOptions : CollectorOptions
{
    /// <summary>The URL to check, on the pod's own loopback.</summary>
    [ConfigurationKeyName("url")]
    public string Url { get; set; } = "http://127.0.0.1:8080/healthz";

    /// <summary>The status that counts as healthy.</summary>
    [ConfigurationKeyName("expected_status")]
    public int ExpectedStatus { get; set; } = 200;

    /// <inheritdoc/>
    public override string? GetTarget() => Url;
}
