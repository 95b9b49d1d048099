namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Tests that assert a scrape gives up before its deadline by the wall clock run alone, not beside other test classes
/// competing for the machine's two cores, so they measure the collector rather than the test run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
