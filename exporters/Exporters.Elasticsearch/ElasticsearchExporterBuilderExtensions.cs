using Exporters.Abstractions;

namespace Exporters.Elasticsearch;

/// <summary>Adds the Elasticsearch collector to an exporter.</summary>
public static class ElasticsearchExporterBuilderExtensions
{
    /// <summary>
    /// Registers the <c>elasticsearch</c> collector. It runs when the configuration has an <c>elasticsearch</c> section or an elasticsearch_exporter flag such as <c>--es.uri</c> is set. Started under the name <c>elasticsearch_exporter</c>, the exporter takes that exporter's port, flags and environment variables.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The exporter builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddElasticsearch<TBuilder>(this TBuilder builder)
        where TBuilder : IExporterBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCollector(new ElasticsearchCollectorDefinition());
        builder.AddProfile(ElasticsearchExporterProfile.Create());
        return builder;
    }
}
