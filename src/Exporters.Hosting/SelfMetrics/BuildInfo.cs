using System.Reflection;
using System.Runtime.InteropServices;

namespace Exporters.Hosting.SelfMetrics;

/// <summary>The version and source revision this binary was built from.</summary>
internal static class BuildInfo
{
    static BuildInfo()
    {
        var informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        Version = plus < 0 ? informational : informational[..plus];
        Revision = plus < 0 ? "unknown" : informational[(plus + 1)..];
    }

    /// <summary>The product version, for example <c>0.1.0</c>.</summary>
    public static string Version { get; }

    /// <summary>The source revision (git commit), or <c>unknown</c>.</summary>
    public static string Revision { get; }

    /// <summary>The .NET runtime version.</summary>
    public static string DotnetVersion { get; } = RuntimeInformation.FrameworkDescription.Replace(".NET ", string.Empty, StringComparison.Ordinal);
}
