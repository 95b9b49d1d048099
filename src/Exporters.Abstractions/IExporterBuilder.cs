namespace Exporters.Abstractions;

/// <summary>
/// Where collectors are composed into an exporter. The host's application builder implements it, and each collector
/// package adds an extension method that registers its definition, as in <c>builder.AddRedis()</c>.
/// </summary>
/// <remarks>
/// A package's extension should be generic over the builder so that calls chain on the concrete type:
/// <code>public static TBuilder AddMemcached&lt;TBuilder&gt;(this TBuilder builder) where TBuilder : IExporterBuilder</code>
/// </remarks>
public interface IExporterBuilder
{
    /// <summary>Registers a collector definition. Its name must be unique among the collectors of this exporter.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>This builder.</returns>
    IExporterBuilder AddCollector(CollectorDefinition definition);

    /// <summary>
    /// Registers a drop-in profile: how the exporter behaves when started under another exporter's program name.
    /// </summary>
    /// <param name="profile">The profile. Its program name must be unique among the profiles of this exporter.</param>
    /// <returns>This builder.</returns>
    IExporterBuilder AddProfile(ExporterProfile profile);
}
