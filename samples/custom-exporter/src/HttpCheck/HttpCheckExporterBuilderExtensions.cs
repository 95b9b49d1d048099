using Exporters.Abstractions;

namespace HttpCheck;

/// <summary>Adds the HTTP check collector to an exporter.</summary>
public static class HttpCheckExporterBuilderExtensions
{
    /// <summary>Registers the <c>http_check</c> collector; it runs when the configuration has an <c>http_check</c> section or <c>--http-check.url</c> is set.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The exporter builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddHttpCheck<TBuilder>(this TBuilder builder)
        where TBuilder : IExporterBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCollector(new HttpCheckCollectorDefinition());
        return builder;
    }
}
