using System.Reflection;
using Exporters.Hosting.SelfMetrics;

namespace Exporters.Hosting.Tests;

public sealed class BuildInfoTests
{
    [Fact]
    public void The_compiled_in_version_and_revision_are_the_assemblys_own()
    {
        var informational = typeof(ExporterApplication).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(BuildInfo.InformationalVersion, informational);
        Assert.Equal(informational, BuildInfo.Version + "+" + BuildInfo.Revision);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+", BuildInfo.Version);
    }
}
