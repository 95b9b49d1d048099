using System.Diagnostics.CodeAnalysis;
using Exporters.Abstractions;
using Microsoft.Extensions.Configuration;

namespace Exporters.Elasticsearch;

/// <summary>Options of the <c>elasticsearch</c> collector.</summary>
public sealed partial class ElasticsearchOptions : CollectorOptions
{
    private const DynamicallyAccessedMemberTypes NestedOptionMembers = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    /// <summary>Creates options with elasticsearch_exporter's defaults.</summary>
    [DynamicDependency(NestedOptionMembers, typeof(ClientTlsOptions))]
    [DynamicDependency(NestedOptionMembers, typeof(ElasticsearchSubCollectorOptions))]
    [DynamicDependency(NestedOptionMembers, typeof(ElasticsearchIndexFilterOptions))]
    [DynamicDependency(NestedOptionMembers, typeof(ElasticsearchAwsOptions))]
    [DynamicDependency(NestedOptionMembers, typeof(ElasticsearchAuthModuleOptions))]
    [DynamicDependency(NestedOptionMembers, typeof(ElasticsearchUserPassOptions))]
    public ElasticsearchOptions()
    {
        // The host binds nested option classes by reflection; without these a trimmed host knows none of their keys.
    }

    /// <summary>
    /// The HTTP API address of an Elasticsearch or OpenSearch node; basic-auth credentials may be in the user-info
    /// part. Empty means no target of its own: the instance answers only <c>/probe</c> (elasticsearch_exporter's
    /// multi-target mode, its default since 1.10).
    /// </summary>
    [ConfigurationKeyName("uri")]
    public string Uri { get; set; } = "http://localhost:9200";

    /// <summary>Basic-auth user name (overrides the one in <see cref="Uri"/>).</summary>
    [ConfigurationKeyName("username")]
    public string? Username { get; set; }

    /// <summary>Basic-auth password.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>A file holding the basic-auth password, read on every scrape.</summary>
    [ConfigurationKeyName("password_file")]
    public string? PasswordFile { get; set; }

    /// <summary>An Elasticsearch API key (the base64 <c>id:key</c> form), sent as <c>Authorization: ApiKey</c>.</summary>
    [Secret]
    [ConfigurationKeyName("api_key")]
    public string? ApiKey { get; set; }

    /// <summary>A file holding the API key, read on every scrape.</summary>
    [ConfigurationKeyName("api_key_file")]
    public string? ApiKeyFile { get; set; }

    /// <summary>A bearer token, sent as <c>Authorization: Bearer</c>.</summary>
    [Secret]
    [ConfigurationKeyName("bearer_token")]
    public string? BearerToken { get; set; }

    /// <summary>A file holding the bearer token, read on every scrape.</summary>
    [ConfigurationKeyName("bearer_token_file")]
    public string? BearerTokenFile { get; set; }

    /// <summary>TLS settings for <c>https</c> URIs.</summary>
    [ConfigurationKeyName("tls")]
    public ClientTlsOptions Tls { get; set; } = new();

    /// <summary>The longest one HTTP request may take; zero means only the scrape deadline applies.</summary>
    [ConfigurationKeyName("request_timeout")]
    public Duration RequestTimeout { get; set; }

    /// <summary>Read node statistics of every node in the cluster rather than of <see cref="Node"/>.</summary>
    [ConfigurationKeyName("all_nodes")]
    public bool AllNodes { get; set; }

    /// <summary>The node whose statistics are read when <see cref="AllNodes"/> is off (<c>_local</c> by default).</summary>
    [ConfigurationKeyName("node")]
    public string Node { get; set; } = "_local";

    /// <summary>The largest response body accepted from Elasticsearch, in bytes; larger ones fail that sub-collector.</summary>
    [ConfigurationKeyName("max_response_bytes")]
    public long MaxResponseBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Which sub-collectors run.</summary>
    [ConfigurationKeyName("collectors")]
    public ElasticsearchSubCollectorOptions Collectors { get; set; } = new();

    /// <summary>
    /// How often the always-on cluster-info retriever reads <c>GET /</c> for the <c>elasticsearch_clusterinfo_*</c>
    /// families (elasticsearch_exporter's <c>--es.clusterinfo.interval</c>); zero reads it once.
    /// </summary>
    [ConfigurationKeyName("clusterinfo_interval")]
    public Duration ClusterInfoInterval { get; set; } = Duration.FromSeconds(300);

    /// <summary>The task actions the tasks sub-collector counts, in the <c>actions</c> syntax of the task API.</summary>
    [ConfigurationKeyName("task_actions")]
    public string TaskActions { get; set; } = "indices:*";

    /// <summary>AWS Signature Version 4 signing, for Amazon OpenSearch Service and Amazon Elasticsearch Service domains.</summary>
    [ConfigurationKeyName("aws")]
    public ElasticsearchAwsOptions Aws { get; set; } = new();

    /// <summary>
    /// Named credential sets that a <c>/probe?target=&amp;auth_module=NAME</c> request selects, in the form of
    /// elasticsearch_exporter's <c>auth_modules</c>.
    /// </summary>
    [ConfigurationKeyName("auth_modules")]
    public Dictionary<string, ElasticsearchAuthModuleOptions> AuthModules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Which indices index-level families report, and how many.</summary>
    [ConfigurationKeyName("index_filter")]
    public ElasticsearchIndexFilterOptions IndexFilter { get; set; } = new();

    /// <inheritdoc/>
    public override string? GetTarget() => Uri;

    /// <summary>Whether requests to the configured target are signed with AWS Signature Version 4.</summary>
    internal bool SignsWithAws => Aws.IsEnabled;
}

/// <summary>Switches for the sub-collectors (the always-on ones can be switched off too).</summary>
public sealed class ElasticsearchSubCollectorOptions
{
    /// <summary><c>GET /_cluster/health</c>.</summary>
    [ConfigurationKeyName("cluster_health")]
    public bool ClusterHealth { get; set; } = true;

    /// <summary><c>GET /_nodes/&lt;node&gt;/stats</c>.</summary>
    [ConfigurationKeyName("nodes")]
    public bool Nodes { get; set; } = true;

    /// <summary><c>GET /</c>: <c>elasticsearch_version</c>.</summary>
    [ConfigurationKeyName("cluster_info")]
    public bool ClusterInfo { get; set; } = true;

    /// <summary><c>GET /_all/_stats</c>: per-index families.</summary>
    [ConfigurationKeyName("indices")]
    public bool Indices { get; set; }

    /// <summary>Per-shard families (<c>level=shards</c>) and <c>GET /_cat/shards</c>; implies <see cref="Indices"/>.</summary>
    [ConfigurationKeyName("shards")]
    public bool Shards { get; set; }

    /// <summary>
    /// <c>GET /_alias</c>. Unset (the default) reports aliases whenever <see cref="Indices"/> or <see cref="Shards"/>
    /// runs, as elasticsearch_exporter does; <see langword="true"/> always, <see langword="false"/> never.
    /// </summary>
    [ConfigurationKeyName("aliases")]
    public bool? Aliases { get; set; }

    /// <summary><c>GET /_all/_settings</c>.</summary>
    [ConfigurationKeyName("indices_settings")]
    public bool IndicesSettings { get; set; }

    /// <summary><c>GET /_all/_mappings</c>.</summary>
    [ConfigurationKeyName("indices_mappings")]
    public bool IndicesMappings { get; set; }

    /// <summary><c>GET /_cluster/settings</c>.</summary>
    [ConfigurationKeyName("cluster_settings")]
    public bool ClusterSettings { get; set; }

    /// <summary><c>GET /_snapshot</c> and each repository's snapshots.</summary>
    [ConfigurationKeyName("snapshots")]
    public bool Snapshots { get; set; }

    /// <summary><c>GET /_slm/stats</c> and <c>/_slm/status</c>.</summary>
    [ConfigurationKeyName("slm")]
    public bool Slm { get; set; }

    /// <summary><c>GET /_all/_ilm/explain</c> and <c>/_ilm/status</c>.</summary>
    [ConfigurationKeyName("ilm")]
    public bool Ilm { get; set; }

    /// <summary><c>GET /_data_stream/*/_stats</c>.</summary>
    [ConfigurationKeyName("data_stream")]
    public bool DataStream { get; set; }

    /// <summary><c>GET /_health_report</c> (Elasticsearch 8.7+).</summary>
    [ConfigurationKeyName("health_report")]
    public bool HealthReport { get; set; }

    /// <summary><c>GET /_tasks</c>: running tasks per action.</summary>
    [ConfigurationKeyName("tasks")]
    public bool Tasks { get; set; }

    /// <summary>Whether the aliases sub-collector runs.</summary>
    internal bool AliasesEnabled => Aliases ?? (Indices || Shards);
}

/// <summary>AWS Signature Version 4 signing with credentials from the standard chain.</summary>
public sealed class ElasticsearchAwsOptions
{
    /// <summary>The region of the domain, for example eu-west-1; setting it turns signing on (<c>--aws.region</c>).</summary>
    [ConfigurationKeyName("region")]
    public string? Region { get; set; }

    /// <summary>A role to assume with the chain's credentials (<c>--aws.role-arn</c>); turns signing on too, the region then coming from <c>AWS_REGION</c>.</summary>
    [ConfigurationKeyName("role_arn")]
    public string? RoleArn { get; set; }

    /// <summary>The signing name: <c>es</c> for Amazon OpenSearch Service and Elasticsearch Service domains, <c>aoss</c> for OpenSearch Serverless.</summary>
    [ConfigurationKeyName("service")]
    public string Service { get; set; } = "es";

    /// <summary>Whether signing is on.</summary>
    internal bool IsEnabled => !string.IsNullOrWhiteSpace(Region) || !string.IsNullOrWhiteSpace(RoleArn);
}

/// <summary>One credential set for <c>/probe</c>, selected with <c>auth_module=NAME</c>.</summary>
public sealed class ElasticsearchAuthModuleOptions
{
    /// <summary><c>userpass</c>, <c>apikey</c>, <c>aws</c> or <c>tls</c>.</summary>
    [ConfigurationKeyName("type")]
    public string? Type { get; set; }

    /// <summary>Basic-auth user and password, for <c>type: userpass</c>.</summary>
    [ConfigurationKeyName("userpass")]
    public ElasticsearchUserPassOptions? UserPass { get; set; }

    /// <summary>An API key (base64 <c>id:key</c>), for <c>type: apikey</c>.</summary>
    [Secret]
    [ConfigurationKeyName("apikey")]
    public string? ApiKey { get; set; }

    /// <summary>Signing settings, for <c>type: aws</c>; the region may come from <c>AWS_REGION</c>.</summary>
    [ConfigurationKeyName("aws")]
    public ElasticsearchAwsOptions? Aws { get; set; }

    /// <summary>TLS settings: the client certificate for <c>type: tls</c>, or transport settings for the other types.</summary>
    [ConfigurationKeyName("tls")]
    public ClientTlsOptions? Tls { get; set; }

    /// <summary>Query parameters added to every request to the probed target.</summary>
    [ConfigurationKeyName("options")]
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The <c>userpass</c> part of an auth module.</summary>
public sealed class ElasticsearchUserPassOptions
{
    /// <summary>The user name.</summary>
    [ConfigurationKeyName("username")]
    public string? Username { get; set; }

    /// <summary>The password.</summary>
    [Secret]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }
}

/// <summary>Which indices the index-level families report.</summary>
public sealed class ElasticsearchIndexFilterOptions
{
    /// <summary>Index names or wildcards (<c>*</c>, <c>?</c>) to report; empty means all.</summary>
    [ConfigurationKeyName("include")]
    public List<string> Include { get; set; } = [];

    /// <summary>Index names or wildcards not to report, applied after <see cref="Include"/>. Defaults to system and hidden indices (<c>.*</c>).</summary>
    [ConfigurationKeyName("exclude")]
    public List<string> Exclude { get; set; } = [];

    /// <summary>Report system and hidden indices (names starting with a dot), which are excluded by default.</summary>
    [ConfigurationKeyName("include_system")]
    public bool IncludeSystem { get; set; }

    /// <summary>The most indices reported per scrape (in name order); the rest are counted in <c>elasticsearch_indices_omitted</c>. Zero means no cap.</summary>
    [ConfigurationKeyName("max_indices")]
    public int MaxIndices { get; set; } = 1000;
}
