
namespace Exporters.Host.Configuration;

/// <summary>The multi-target <c>/probe</c> endpoint: off unless enabled, and only for allowed targets.</summary>
public sealed class ProbeOptions
{
    /// <summary>Whether <c>/probe</c> answers at all.</summary>
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; }

    /// <summary>
    /// Patterns of <c>host:port</c> a probe may reach, <c>*</c> matching any run of characters, for example
    /// <c>127.0.0.1:*</c> or <c>*.redis.svc.cluster.local:6379</c>. Empty means no target is allowed.
    /// </summary>
    [ConfigurationKeyName("allowed_targets")]
    public List<string> AllowedTargets { get; set; } = [];
}
