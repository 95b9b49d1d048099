using Exporters.Abstractions;

namespace Exporters.Elasticsearch;

/// <summary>
/// The exporter started as <c>elasticsearch_exporter</c>: the port, flag spellings and environment variables of
/// elasticsearch_exporter, so a sidecar switches by changing its image and keeping its pod spec.
/// </summary>
internal static class ElasticsearchExporterProfile
{
    /// <summary>The program name that selects the profile (the image's symlink).</summary>
    public const string ProgramName = "elasticsearch_exporter";

    public static ExporterProfile Create() => new(ProgramName, ":9114")
    {
        Description = "the flags and environment variables of elasticsearch_exporter",
        Collectors = ["elasticsearch"],
    };
}
