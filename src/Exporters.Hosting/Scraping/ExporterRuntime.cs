using Exporters.Hosting.Configuration;

namespace Exporters.Hosting.Scraping;

/// <summary>The collector instances and probe settings of one configuration generation.</summary>
internal sealed class ExporterRuntime
{
    private readonly Dictionary<string, CollectorInstance> _byName;

    /// <summary>Creates a runtime.</summary>
    /// <param name="configuration">The validated configuration.</param>
    /// <param name="instances">The instances, in configuration order.</param>
    public ExporterRuntime(ExporterConfiguration configuration, IReadOnlyList<CollectorInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(instances);
        Configuration = configuration;
        Instances = instances;
        _byName = instances.ToDictionary(i => i.Name, StringComparer.Ordinal);
    }

    /// <summary>The configuration.</summary>
    public ExporterConfiguration Configuration { get; }

    /// <summary>The enabled instances.</summary>
    public IReadOnlyList<CollectorInstance> Instances { get; }

    /// <summary>Finds an instance by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <returns>The instance or null.</returns>
    public CollectorInstance? Find(string name) => _byName.GetValueOrDefault(name);
}
