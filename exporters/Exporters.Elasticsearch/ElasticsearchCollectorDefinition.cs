using Exporters.Abstractions;
using Exporters.Elasticsearch.Aws;

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
        ("indices", "collectors.indices", "per-index statistics (GET /_all/_stats) and shards per node (GET /_cat/shards)"),
        ("shards", "collectors.shards", "per-shard statistics and shards per node; implies indices"),
        ("aliases", "collectors.aliases", "index aliases (GET /_alias); by default whenever indices run"),
        ("indices-settings", "collectors.indices_settings", "index settings (GET /_all/_settings)"),
        ("indices-mappings", "collectors.indices_mappings", "mapped fields per index (GET /_all/_mappings)"),
        ("cluster-settings", "collectors.cluster_settings", "cluster settings (GET /_cluster/settings)"),
        ("snapshots", "collectors.snapshots", "snapshots per repository (GET /_snapshot)"),
        ("slm", "collectors.slm", "snapshot lifecycle management (GET /_slm/stats)"),
        ("ilm", "collectors.ilm", "index lifecycle management (GET /_all/_ilm/explain)"),
        ("data-stream", "collectors.data_stream", "data streams (GET /_data_stream/*/_stats)"),
        ("health-report", "collectors.health_report", "health report (GET /_health_report, 8.7+)"),
        ("tasks", "collectors.tasks", "running tasks per action (GET /_tasks)"),
    ];

    /// <summary>
    /// elasticsearch_exporter 1.11's flags and variables, then the spellings of older releases that pod specs still
    /// carry, then this collector's own.
    /// </summary>
    private static readonly CollectorFlag[] FlagList =
    [
        new("es.uri", "uri", null, "HTTP API address of an Elasticsearch node, e.g. http://user:password@localhost:9200; empty for /probe only"),
        new("es.timeout", "request_timeout", null, "Timeout of each request to Elasticsearch (the scrape deadline applies too)"),
        new("es.all", "all_nodes", null, "Export stats for all nodes in the cluster, not only es.node", IsSwitch: true),
        new("es.node", "node", null, "Node whose stats are exported (default _local)"),
        new("es.indices", "collectors.indices", null, "Export stats for indices in the cluster", IsSwitch: true),
        new("es.indices_settings", "collectors.indices_settings", null, "Export stats for settings of all indices", IsSwitch: true),
        new("es.indices_mappings", "collectors.indices_mappings", null, "Export stats for mappings of all indices", IsSwitch: true),
        new("es.aliases", "collectors.aliases", null, "Export informational alias metrics (default: with es.indices)", IsSwitch: true),
        new("es.shards", "collectors.shards", null, "Export stats for shards in the cluster (implies es.indices)", IsSwitch: true),
        new("es.clusterinfo.interval", "clusterinfo_interval", null, "How often the cluster info retriever reads GET / (default 5m)"),
        new("es.ca", "tls.ca_file", null, "PEM file of trusted certificate authorities for the Elasticsearch connection"),
        new("es.client-cert", "tls.cert_file", null, "PEM client certificate for the Elasticsearch connection"),
        new("es.client-private-key", "tls.key_file", null, "PEM private key of the client certificate"),
        new("es.ssl-skip-verify", "tls.insecure_skip_verify", null, "Skip TLS verification of the Elasticsearch certificate", IsSwitch: true),
        new("aws.region", "aws.region", null, "Region of an Amazon OpenSearch/Elasticsearch Service domain; signs requests with AWS SigV4"),
        new("aws.role-arn", "aws.role_arn", null, "Role ARN of an IAM role to assume for AWS SigV4 signing"),
        new("tasks.actions", "task_actions", null, "Task actions the tasks collector counts, as the task API's actions parameter (default indices:*)"),
        new("collector.cluster-info", "collectors.cluster_info", null, "Enable the " + SubCollectors[2].Help, IsSwitch: true),
        new("collector.clustersettings", "collectors.cluster_settings", null, "Enable the cluster settings collector (GET /_cluster/settings)", IsSwitch: true),
        new("collector.snapshots", "collectors.snapshots", null, "Enable the snapshots collector", IsSwitch: true),
        new("collector.slm", "collectors.slm", null, "Enable the SLM collector", IsSwitch: true),
        new("collector.ilm", "collectors.ilm", null, "Enable the ILM collector", IsSwitch: true),
        new("collector.data-stream", "collectors.data_stream", null, "Enable the data stream collector", IsSwitch: true),
        new("collector.health-report", "collectors.health_report", null, "Enable the health report collector (Elasticsearch 8.7+)", IsSwitch: true),
        new("collector.tasks", "collectors.tasks", null, "Enable the tasks collector", IsSwitch: true),
        new("es.username", "username", "ES_USERNAME", "Basic-auth user name"),
        new("es.password", "password", "ES_PASSWORD", "Basic-auth password"),
        new("es.api-key", "api_key", "ES_API_KEY", "API key (base64 id:key), sent as 'Authorization: ApiKey'"),

        // Renamed in elasticsearch_exporter 1.6 to 1.10; older pod specs and its README still use them.
        new("es.cluster_settings", "collectors.cluster_settings", null, "Old name of --collector.clustersettings", IsSwitch: true),
        new("es.snapshots", "collectors.snapshots", null, "Old name of --collector.snapshots", IsSwitch: true),
        new("es.slm", "collectors.slm", null, "Old name of --collector.slm", IsSwitch: true),
        new("es.ilm", "collectors.ilm", null, "Old name of --collector.ilm", IsSwitch: true),
        new("es.data_stream", "collectors.data_stream", null, "Old name of --collector.data-stream", IsSwitch: true),

        // This collector's spelling for each sub-collector, for those elasticsearch_exporter has no switch for.
        .. SubCollectors
            .Where(s => s.Label is not ("cluster-info" or "snapshots" or "slm" or "ilm" or "data-stream" or "health-report" or "tasks"))
            .Select(s => new CollectorFlag("collector." + s.Label, s.OptionKey, null, "Enable the " + s.Help, IsSwitch: true)),
    ];

    /// <inheritdoc/>
    public override string Name => "elasticsearch";

    /// <inheritdoc/>
    public override string Description => "Elasticsearch and OpenSearch cluster, node and index statistics (elasticsearch_exporter names)";

    /// <inheritdoc/>
    public override string? UpMetricName => "elasticsearch_up";

    /// <inheritdoc/>
    public override IReadOnlyList<CollectorFlag> Flags => FlagList;

    /// <summary>Where AWS signing reads its variables (the process environment, or a test's).</summary>
    internal AwsEnvironment AwsEnvironment { get; init; } = AwsEnvironment.Process;

    /// <inheritdoc/>
    /// <remarks>An instance without a uri answers only <c>/probe</c>, so its own scrape has no target to be up.</remarks>
    protected override string? GetUpMetricName(ElasticsearchOptions options) =>
        string.IsNullOrEmpty(options?.Uri) ? null : UpMetricName;

    /// <inheritdoc/>
    protected override void Validate(ElasticsearchOptions options, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Uri.Length > 0 && (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
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

        if (options.ClusterInfoInterval.Value < TimeSpan.Zero)
        {
            errors.Add("clusterinfo_interval", "must be zero (read once) or more");
        }

        if (string.IsNullOrWhiteSpace(options.TaskActions))
        {
            errors.Add("task_actions", "must not be empty; indices:* counts the index tasks, * every task");
        }

        if (options.Aws.IsEnabled)
        {
            ElasticsearchAws.Validate(options.Aws, "aws", AwsEnvironment, errors);
        }

        foreach (var (name, module) in options.AuthModules)
        {
            AuthModules.Validate(name, module, AwsEnvironment, errors);
        }

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
        return new ElasticsearchCollector(options, context, AwsEnvironment);
    }
}
