using Exporters.Abstractions;

namespace Exporters.Redis;

/// <summary>Adds the Redis collector to an exporter.</summary>
public static class RedisExporterBuilderExtensions
{
    /// <summary>
    /// Registers the <c>redis</c> collector. It runs when the configuration has a <c>redis</c> section or a redis_exporter flag such as <c>--redis.addr</c> is set. Started under the name <c>redis_exporter</c>, the exporter takes that exporter's port, flags and environment variables.
    /// </summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The exporter builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AddRedis<TBuilder>(this TBuilder builder)
        where TBuilder : IExporterBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCollector(new RedisCollectorDefinition());
        builder.AddProfile(RedisExporterProfile.Create());
        return builder;
    }
}
