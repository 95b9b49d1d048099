using Exporters.Abstractions;

namespace Exporters.Alertmanager;

/// <summary>Adds the Alertmanager collector to an exporter.</summary>
public static class AlertmanagerExporterBuilderExtensions
{
    /// <summary>
    /// Registers the <c>alertmanager</c> collector. It runs when the configuration has an <c>alertmanager</c> section or <c>--alertmanager.uri</c> is set.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The exporter builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddAlertmanager<TBuilder>(this TBuilder builder)
        where TBuilder : IExporterBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCollector(new AlertmanagerCollectorDefinition());
        return builder;
    }
}
