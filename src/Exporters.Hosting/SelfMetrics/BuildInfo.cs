using System.Runtime.InteropServices;

namespace Exporters.Hosting.SelfMetrics;

/// <summary>The version and source revision this binary was built from.</summary>
/// <remarks>Both come from <c>InformationalVersion</c>, a constant the build writes (Exporters.Hosting.csproj).</remarks>
internal static partial class BuildInfo
{
    static BuildInfo()
    {
        var plus = InformationalVersion.IndexOf('+', StringComparison.Ordinal);
        Version = plus < 0 ? InformationalVersion : InformationalVersion[..plus];
        Revision = plus < 0 ? "unknown" : InformationalVersion[(plus + 1)..];
    }

    /// <summary>The product version, for example <c>0.1.0</c>.</summary>
    public static string Version { get; }

    /// <summary>The source revision (git commit), or <c>unknown</c>.</summary>
    public static string Revision { get; }

    /// <summary>The .NET runtime version.</summary>
    public static string DotnetVersion { get; } = RuntimeInformation.FrameworkDescription.Replace(".NET ", string.Empty, StringComparison.Ordinal);
}
