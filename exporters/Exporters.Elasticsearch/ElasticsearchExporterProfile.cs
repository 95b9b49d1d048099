using Exporters.Abstractions;

namespace Exporters.Elasticsearch;

/// <summary>
/// The exporter started as <c>elasticsearch_exporter</c>: the port, flag spellings, environment variables and
/// configuration file of elasticsearch_exporter 1.11, so a sidecar switches by changing its image and keeping its pod
/// spec. Its collector flags (<c>--es.*</c>, <c>--collector.*</c>, <c>--aws.*</c>, <c>--tasks.actions</c>) are the
/// collector's own; the host already speaks its <c>--web.*</c> and <c>--log.*</c> flags.
/// </summary>
internal static class ElasticsearchExporterProfile
{
    /// <summary>The program name that selects the profile (the image's symlink).</summary>
    public const string ProgramName = "elasticsearch_exporter";

    public static ExporterProfile Create() => new(ProgramName, ":9114")
    {
        Description = "the flags, environment variables and auth_modules file of elasticsearch_exporter 1.11",
        Collectors = ["elasticsearch"],

        // Without --es.uri elasticsearch_exporter (1.10 on) scrapes nothing and serves /probe only.
        CollectorDefaults = new Dictionary<string, string>(StringComparer.Ordinal) { ["collectors.elasticsearch.uri"] = string.Empty },

        // Its --config.file holds auth_modules only; here that file is the host's, which takes the section as it is.
        ConfigurationSections = new Dictionary<string, string>(StringComparer.Ordinal) { ["auth_modules"] = "collectors.elasticsearch.auth_modules" },

        // ES_USERNAME, ES_PASSWORD and ES_API_KEY are the only variables since 1.4; ES_URI and the like are not read.
        EnvironmentPrefixes = ["ES_"],
        IgnoredFlags =
        [
            new("web.systemd-socket", null, "systemd socket activation is not supported; the exporter listens on --web.listen-address", IsSwitch: true),
        ],
    };
}
