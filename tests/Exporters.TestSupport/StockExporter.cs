using Exporters.Abstractions;
using Exporters.Alertmanager;
using Exporters.Elasticsearch;
using Exporters.Hosting;
using Exporters.Passthrough;
using Exporters.Redis;

namespace Exporters.TestSupport;

/// <summary>The stock composition (src/Exporters/Program.cs) built in this process, for tests of the whole host.</summary>
public static class StockExporter
{
    /// <summary>The built-in collector definitions, as the stock executable registers them.</summary>
    /// <returns>The definitions.</returns>
    public static IReadOnlyList<CollectorDefinition> Definitions() => [.. Builder([], null).Collectors];

    /// <summary>A builder with the four built-in collectors (and any others given), an empty environment unless one is given, and the program name <c>exporters</c>.</summary>
    /// <param name="args">Flags.</param>
    /// <param name="environment">Environment variables, or null for none.</param>
    /// <param name="additionalCollectors">More collectors.</param>
    /// <returns>The builder.</returns>
    public static ExporterApplicationBuilder Builder(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment, IEnumerable<CollectorDefinition>? additionalCollectors = null)
    {
        var builder = ExporterApplication.CreateBuilder([.. args]);
        builder.ProgramName = "exporters";
        builder.Environment.Clear();
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            builder.Environment[key] = value;
        }

        builder.AddRedis().AddElasticsearch().AddAlertmanager().AddPassthrough();
        foreach (var definition in additionalCollectors ?? [])
        {
            builder.AddCollector(definition);
        }

        return builder;
    }

    /// <summary>Builds the stock composition; fails when the flags asked to print instead of serving.</summary>
    /// <param name="args">Flags.</param>
    /// <param name="environment">Environment variables, or null for none.</param>
    /// <param name="additionalCollectors">More collectors.</param>
    /// <returns>The application, not started.</returns>
    public static ExporterApplication Build(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, IEnumerable<CollectorDefinition>? additionalCollectors = null)
    {
        var app = Builder(args, environment, additionalCollectors).Build();
        return app.Output is null ? app : throw new InvalidOperationException("the host printed instead of starting: " + app.Output);
    }
}
