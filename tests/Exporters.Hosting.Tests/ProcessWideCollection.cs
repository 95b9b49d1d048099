namespace Exporters.Hosting.Tests;

/// <summary>
/// Tests that count what the whole test process holds (open descriptors) run alone: a test class running beside them
/// opens and closes files and pipes of its own, which the count would include.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide";
}
