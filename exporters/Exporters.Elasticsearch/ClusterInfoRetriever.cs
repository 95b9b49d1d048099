using Exporters.Abstractions.Metrics;

namespace Exporters.Elasticsearch;

/// <summary>
/// elasticsearch_exporter's cluster-info retriever for the configured target: reads <c>GET /</c> once and then again
/// every <c>clusterinfo_interval</c>, independently of the cluster-info sub-collector, and reports
/// <c>elasticsearch_clusterinfo_up</c>, <c>_version_info</c> and the times of the last successful and failed reads.
/// The read happens during a scrape once the interval has passed (no background timer), so an exporter nobody
/// scrapes sends nothing. Not used for <c>/probe</c>, as elasticsearch_exporter's <c>/probe</c> has no retriever.
/// </summary>
internal sealed class ClusterInfoRetriever(string url, TimeSpan interval)
{
    private static readonly string[] UrlLabel = ["url"];

    private static readonly GaugeDefinition Up = new("elasticsearch_clusterinfo_up", "Whether the cluster info retriever's last read of GET / succeeded (1) or failed (0)", UrlLabel);
    private static readonly GaugeDefinition VersionInfo = new("elasticsearch_clusterinfo_version_info", "Cluster and version information from the cluster info retriever's last successful read, constant 1", ["cluster", "cluster_uuid", "build_date", "build_hash", "version", "lucene_version"]);
    private static readonly GaugeDefinition LastSuccess = new("elasticsearch_clusterinfo_last_retrieval_success_ts", "Unix time of the cluster info retriever's last successful read", UrlLabel);
    private static readonly GaugeDefinition LastFailure = new("elasticsearch_clusterinfo_last_retrieval_failure_ts", "Unix time of the cluster info retriever's last failed read", UrlLabel);

    private readonly Lock _gate = new();
    private DateTimeOffset? _lastAttempt;
    private long? _lastSuccess;
    private long? _lastFailure;
    private bool _up;
    private string[]? _version;

    internal static IEnumerable<MetricDefinition> Families => [VersionInfo, Up, LastSuccess, LastFailure];

    /// <summary>The <c>url</c> label: the configured URI without credentials.</summary>
    public string Url { get; } = url;

    /// <summary>Whether a read is due: never read yet, or the interval has passed since the last attempt.</summary>
    public bool IsDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _lastAttempt is not { } last || (interval > TimeSpan.Zero && now - last >= interval);
        }
    }

    /// <summary>
    /// Reads <c>GET /</c> and records the outcome. A read cut short by the scrape's own deadline is not recorded,
    /// so it is due again on the next scrape.
    /// </summary>
    public async Task RefreshAsync(EsHttp http, TimeProvider time, CancellationToken token)
    {
        try
        {
            using var doc = await http.GetDocumentAsync("/", token);
            var root = doc.RootElement;
            string[] version =
            [
                JsonPath.String(root, "cluster_name") ?? string.Empty,
                JsonPath.String(root, "cluster_uuid") ?? string.Empty,
                JsonPath.String(root, "version.build_date") ?? string.Empty,
                JsonPath.String(root, "version.build_hash") ?? string.Empty,
                JsonPath.String(root, "version.number") ?? string.Empty,
                JsonPath.String(root, "version.lucene_version") ?? string.Empty,
            ];
            Record(time.GetUtcNow(), version);
        }
        catch (EsRequestException)
        {
            Record(time.GetUtcNow(), null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            Record(time.GetUtcNow(), null);
        }
    }

    /// <summary>Writes the families once a read has been attempted.</summary>
    public void WriteTo(MetricWriter writer)
    {
        lock (_gate)
        {
            if (_lastAttempt is null)
            {
                return;
            }

            if (_version is { } version)
            {
                writer.Write(VersionInfo, 1, version);
            }

            writer.Write(Up, _up ? 1 : 0, Url);
            if (_lastSuccess is { } success)
            {
                writer.Write(LastSuccess, success, Url);
            }

            if (_lastFailure is { } failure)
            {
                writer.Write(LastFailure, failure, Url);
            }
        }
    }

    private void Record(DateTimeOffset now, string[]? version)
    {
        lock (_gate)
        {
            _lastAttempt = now;
            _up = version is not null;
            if (version is not null)
            {
                _version = version;
                _lastSuccess = now.ToUnixTimeSeconds();
            }
            else
            {
                _lastFailure = now.ToUnixTimeSeconds();
            }
        }
    }
}
