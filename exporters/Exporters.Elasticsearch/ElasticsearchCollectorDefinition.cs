using Exporters.Abstractions;

namespace Exporters.Elasticsearch;

/// <summary>
/// The <c>elasticsearch</c> collector: cluster health, node, index and cluster-management statistics of an
/// Elasticsearch or OpenSearch cluster, with elasticsearch_exporter's metric names and flags.
/// </summary>
public sealed class ElasticsearchCollectorDefinition : CollectorDefinition<ElasticsearchOptions>
{
    /// <summary>The sub-collectors by their <c>collector</c> label value, with the option key that switches each.</summary>
    internal static readonly (string Label, string OptionKey, string Help)[] SubCollectors =
    [
        ("cluster-health", "collectors.cluster_health", "cluster health (GET /_cluster/health), on by default"),
        ("nodes", "collectors.nodes", "node statistics (GET /_nodes/stats), on by default"),
        ("cluster-info", "collectors.cluster_info", "cluster info and elasticsearch_version (GET /), on by default"),
        ("indices", "collectors.indices", "per-index statistics (GET /_all/_stats)"),
        ("shards", "collectors.shards", "per-shard statistics and shards per node; implies indices"),
        ("aliases", "collectors.aliases", "index aliases (GET /_alias)"),
        ("indices-settings", "collectors.indices_settings", "index settings (GET /_all/_settings)"),
        ("indices-mappings", "collectors.indices_mappings", "mapped fields per index (GET /_all/_mappings)"),
        ("cluster-settings", "collectors.cluster_settings", "cluster settings (GET /_cluster/settings)"),
        ("snapshots", "collectors.snapshots", "snapshots per repository (GET /_snapshot)"),
        ("slm", "collectors.slm", "snapshot lifecycle management (GET /_slm/stats)"),
        ("ilm", "collectors.ilm", "index lifecycle management (GET /_all/_ilm/explain)"),
        ("data-stream", "collectors.data_stream", "data streams (GET /_data_stream/*/_stats)"),
        ("health-report", "collectors.health_report", "health report (GET /_health_report, 8.7+)"),
    ];

    private static readonly CollectorFlag[] FlagList =
    [
        new("es.uri", "uri", null, "HTTP API address of an Elasticsearch node, e.g. http://user:password@localhost:9200"),
        new("es.timeout", "request_timeout", null, "Timeout of each request to Elasticsearch (the scrape deadline applies too)"),
        new("es.all", "all_nodes", null, "Export stats for all nodes in the cluster, not only es.node", IsSwitch: true),
        new("es.node", "node", null, "Node whose stats are exported (default _local)"),
        new("es.indices", "collectors.indices", null, "Export stats for indices in the cluster", IsSwitch: true),
        new("es.indices_settings", "collectors.indices_settings", null, "Export stats for settings of all indices", IsSwitch: true),
        new("es.indices_mappings", "collectors.indices_mappings", null, "Export stats for mappings of all indices", IsSwitch: true),
        new("es.aliases", "collectors.aliases", null, "Export informational alias metrics", IsSwitch: true),
        new("es.shards", "collectors.shards", null, "Export stats for shards in the cluster (implies es.indices)", IsSwitch: true),
        new("es.cluster_settings", "collectors.cluster_settings", null, "Export stats for cluster settings", IsSwitch: true),
        new("es.snapshots", "collectors.snapshots", null, "Export stats for the cluster snapshots", IsSwitch: true),
        new("es.slm", "collectors.slm", null, "Export stats for SLM snapshots", IsSwitch: true),
        new("es.data_stream", "collectors.data_stream", null, "Export stats for data streams", IsSwitch: true),
        new("es.ca", "tls.ca_file", null, "PEM file of trusted certificate authorities for the Elasticsearch connection"),
        new("es.client-cert", "tls.cert_file", null, "PEM client certificate for the Elasticsearch connection"),
        new("es.client-private-key", "tls.key_file", null, "PEM private key of the client certificate"),
        new("es.ssl-skip-verify", "tls.insecure_skip_verify", null, "Skip TLS verification of the Elasticsearch certificate", IsSwitch: true),
        new("es.username", "username", "ES_USERNAME", "Basic-auth user name"),
        new("es.password", "password", "ES_PASSWORD", "Basic-auth password"),
        new("es.api-key", "api_key", "ES_API_KEY", "API key (base64 id:key), sent as 'Authorization: ApiKey'"),
        .. SubCollectors.Select(s => new CollectorFlag("collector." + s.Label, s.OptionKey, null, "Enable the " + s.Help, IsSwitch: true)),
    ];

    /// <inheritdoc/>
    public override string Name => "elasticsearch";

    /// <inheritdoc/>
    public override string Description => "Elasticsearch and OpenSearch cluster, node and index statistics (elasticsearch_exporter names)";

    /// <inheritdoc/>
    public override string? UpMetricName => "elasticsearch_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags => FlagList;

    /// <inheritdoc/>
    protected override void Validate(ElasticsearchOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            errors.Add("uri", $"'{Secrets.RedactTarget(options.Uri)}' is not an http:// or https:// URI");
        }

        if (string.IsNullOrWhiteSpace(options.Node))
        {
            errors.Add("node", "must not be empty; use _local for the node the URI points at");
        }

        if (!string.IsNullOrEmpty(options.Password) && !string.IsNullOrEmpty(options.PasswordFile))
        {
            errors.Add("password_file", "set either password or password_file, not both");
        }

        if (!string.IsNullOrEmpty(options.ApiKey) && !string.IsNullOrEmpty(options.ApiKeyFile))
        {
            errors.Add("api_key_file", "set either api_key or api_key_file, not both");
        }

        if (!string.IsNullOrEmpty(options.BearerToken) && !string.IsNullOrEmpty(options.BearerTokenFile))
        {
            errors.Add("bearer_token_file", "set either bearer_token or bearer_token_file, not both");
        }

        var hasApiKey = !string.IsNullOrEmpty(options.ApiKey) || !string.IsNullOrEmpty(options.ApiKeyFile);
        var hasBearer = !string.IsNullOrEmpty(options.BearerToken) || !string.IsNullOrEmpty(options.BearerTokenFile);
        if (hasApiKey && hasBearer)
        {
            errors.Add("bearer_token", "set either an API key or a bearer token, not both");
        }

        options.Tls.Validate("tls", errors);

        if (options.MaxResponseBytes < 1024)
        {
            errors.Add("max_response_bytes", "must be at least 1024");
        }

        if (options.IndexFilter.MaxIndices < 0)
        {
            errors.Add("index_filter.max_indices", "must be zero (no cap) or more");
        }

        for (var i = 0; i < options.IndexFilter.Include.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.IndexFilter.Include[i]))
            {
                errors.Add($"index_filter.include.{i}", "must not be empty");
            }
        }

        for (var i = 0; i < options.IndexFilter.Exclude.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.IndexFilter.Exclude[i]))
            {
                errors.Add($"index_filter.exclude.{i}", "must not be empty");
            }
        }
    }

    /// <inheritdoc/>
    protected override ICollector Create(ElasticsearchOptions options, CollectorCreationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ElasticsearchCollector(options, context);
    }
}
