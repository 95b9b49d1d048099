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
    public ElasticsearchOptions()
    {
        // The host binds nested option classes by reflection; without these a trimmed host knows none of their keys.
    }

    /// <summary>The HTTP API address of an Elasticsearch or OpenSearch node; basic-auth credentials may be in the user-info part.</summary>
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

    /// <summary>Which indices index-level families report, and how many.</summary>
    [ConfigurationKeyName("index_filter")]
    public ElasticsearchIndexFilterOptions IndexFilter { get; set; } = new();

    /// <inheritdoc/>
    public override string? GetTarget() => Uri;
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

    /// <summary><c>GET /_alias</c>.</summary>
    [ConfigurationKeyName("aliases")]
    public bool Aliases { get; set; }

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
