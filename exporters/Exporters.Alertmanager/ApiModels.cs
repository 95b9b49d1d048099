using System.Text.Json.Serialization;

namespace Exporters.Alertmanager;

// The subset of Alertmanager's API v2 schema this collector reads. Every field is optional so that both 0.25 and
// newer servers (which add alert status mutedBy and silence annotations) deserialize; unknown fields are ignored,
// and alert annotations and silence comments are not read at all beyond what the schema forces.

/// <summary>An alert from <c>GET /api/v2/alerts</c>.</summary>
internal sealed class ApiAlert
{
    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("receivers")]
    public List<ApiReceiver>? Receivers { get; set; }

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }

    [JsonPropertyName("startsAt")]
    public string? StartsAt { get; set; }

    [JsonPropertyName("status")]
    public ApiAlertStatus? Status { get; set; }
}

/// <summary>An alert's status.</summary>
internal sealed class ApiAlertStatus
{
    [JsonPropertyName("state")]
    public string? State { get; set; }

    [JsonPropertyName("silencedBy")]
    public List<string>? SilencedBy { get; set; }

    [JsonPropertyName("inhibitedBy")]
    public List<string>? InhibitedBy { get; set; }

    /// <summary>Names of the time intervals muting the alert (newer servers only).</summary>
    [JsonPropertyName("mutedBy")]
    public List<string>? MutedBy { get; set; }
}

/// <summary>A receiver reference.</summary>
internal sealed class ApiReceiver
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>A silence from <c>GET /api/v2/silences</c>.</summary>
internal sealed class ApiSilence
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("status")]
    public ApiSilenceStatus? Status { get; set; }

    [JsonPropertyName("startsAt")]
    public string? StartsAt { get; set; }

    [JsonPropertyName("endsAt")]
    public string? EndsAt { get; set; }

    [JsonPropertyName("createdBy")]
    public string? CreatedBy { get; set; }

    /// <summary>Free-text annotations (newer servers only); read so their presence is tested, never exported.</summary>
    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>A silence's status.</summary>
internal sealed class ApiSilenceStatus
{
    [JsonPropertyName("state")]
    public string? State { get; set; }
}

/// <summary>An alert group from <c>GET /api/v2/alerts/groups</c>; its alerts are skipped (they are read from <c>/api/v2/alerts</c>).</summary>
internal sealed class ApiAlertGroup
{
    [JsonPropertyName("receiver")]
    public ApiReceiver? Receiver { get; set; }
}

/// <summary>The answer of <c>GET /api/v2/status</c>.</summary>
internal sealed class ApiStatus
{
    [JsonPropertyName("cluster")]
    public ApiCluster? Cluster { get; set; }

    [JsonPropertyName("versionInfo")]
    public ApiVersionInfo? VersionInfo { get; set; }

    [JsonPropertyName("config")]
    public ApiConfig? Config { get; set; }

    /// <summary>Despite its name, the time Alertmanager started.</summary>
    [JsonPropertyName("uptime")]
    public string? Uptime { get; set; }
}

/// <summary>Cluster status.</summary>
internal sealed class ApiCluster
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("peers")]
    public List<ApiPeer>? Peers { get; set; }
}

/// <summary>A cluster peer.</summary>
internal sealed class ApiPeer
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }
}

/// <summary>Build information.</summary>
internal sealed class ApiVersionInfo
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("revision")]
    public string? Revision { get; set; }

    [JsonPropertyName("branch")]
    public string? Branch { get; set; }

    [JsonPropertyName("goVersion")]
    public string? GoVersion { get; set; }
}

/// <summary>The loaded configuration.</summary>
internal sealed class ApiConfig
{
    [JsonPropertyName("original")]
    public string? Original { get; set; }
}

/// <summary>Source-generated serialization, so the trimmed host needs no reflection.</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<ApiAlert>))]
[JsonSerializable(typeof(List<ApiSilence>))]
[JsonSerializable(typeof(List<ApiReceiver>))]
[JsonSerializable(typeof(List<ApiAlertGroup>))]
[JsonSerializable(typeof(ApiStatus))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
