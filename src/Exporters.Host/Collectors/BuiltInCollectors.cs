using Exporters.Abstractions;

namespace Exporters.Host.Collectors;

/// <summary>
/// The collectors compiled into the host. Adding a built-in collector is one line here and a project reference;
/// everything else about it lives in its own folder under <c>exporters/</c>.
/// </summary>
public static class BuiltInCollectors
{
    /// <summary>Creates the built-in definitions.</summary>
    /// <returns>The definitions.</returns>
    public static IEnumerable<CollectorDefinition> Create() =>
    [
        new Exporters.Redis.RedisCollectorDefinition(),
        new Exporters.Elasticsearch.ElasticsearchCollectorDefinition(),
        new Exporters.Alertmanager.AlertmanagerCollectorDefinition(),
        new Exporters.Passthrough.PassthroughCollectorDefinition(),
    ];
}
