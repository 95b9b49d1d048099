using Exporters.Abstractions;

namespace Exporters.Passthrough;

/// <summary>Adds the passthrough collector to an exporter.</summary>
public static class PassthroughExporterBuilderExtensions
{
    /// <summary>
    /// Registers the <c>passthrough</c> collector. It runs when the configuration has a <c>passthrough</c> section or <c>--passthrough.uri</c> is set.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The exporter builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddPassthrough<TBuilder>(this TBuilder builder)
        where TBuilder : IExporterBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCollector(new PassthroughCollectorDefinition());
        return builder;
    }
}
