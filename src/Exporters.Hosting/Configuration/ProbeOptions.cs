using Exporters.Abstractions;
using Exporters.Abstractions.Configuration;

namespace Exporters.Hosting.Configuration;

/// <summary>The multi-target <c>/probe</c> endpoint: off unless enabled, and only for allowed targets.</summary>
internal sealed class ProbeOptions
{
    private static readonly string[] Keys = ["enabled", "allowed_targets"];

    /// <summary>Whether <c>/probe</c> answers at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Patterns of <c>host:port</c> a probe may reach, <c>*</c> matching any run of characters, for example
    /// <c>127.0.0.1:*</c> or <c>*.redis.svc.cluster.local:6379</c>. Empty means no target is allowed.
    /// </summary>
    public List<string> AllowedTargets { get; set; } = [];

    /// <summary>Reads the <c>probe:</c> section.</summary>
    /// <param name="section">The section.</param>
    /// <param name="errors">Where problems go, keys relative to the section.</param>
    /// <returns>The options.</returns>
    public static ProbeOptions Bind(IConfigurationSection section, OptionErrors errors)
    {
        var options = new ProbeOptions();
        OptionsBinding.CheckKeys(section, string.Empty, Keys, errors);
        if (OptionsBinding.TryReadBoolean(section.GetSection("enabled"), "enabled", errors, out var enabled))
        {
            options.Enabled = enabled;
        }

        if (OptionsBinding.TryReadStringList(section.GetSection("allowed_targets"), "allowed_targets", errors, out var targets))
        {
            options.AllowedTargets = targets;
        }

        return options;
    }
}
