namespace Exporters.Hosting.Tests;

/// <summary>
/// Tests that assert a response arrives within Prometheus' scrape timeout run alone, not beside other test classes
/// competing for the machine's two cores, so they measure the host rather than the test run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
