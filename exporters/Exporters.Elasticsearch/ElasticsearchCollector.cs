using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Elasticsearch.Aws;
using Microsoft.Extensions.Logging;

namespace Exporters.Elasticsearch;

/// <summary>
/// One configured Elasticsearch target (and the targets <c>/probe</c> names). Runs the enabled sub-collectors in turn,
/// each into its own staging batch, so a sub-collector that fails loses only its own families; finishes before the
/// scrape deadline whatever the server does.
/// </summary>
internal sealed class ElasticsearchCollector : ICollector, IDisposable
{
    private const int MaxClients = 16;

    /// <summary>The connection key of the configured credentials (auth modules use their names).</summary>
    private const string ConfiguredAccess = "";

    private static readonly GaugeDefinition Up = new("elasticsearch_up", "Whether the last scrape got at least one valid answer from Elasticsearch (1) or none (0)");
    private static readonly GaugeDefinition Success = new("elasticsearch_scrape_success", "Whether the sub-collector's last scrape succeeded (1) or failed (0)", ["collector"]);
    private static readonly GaugeDefinition Duration = new("elasticsearch_scrape_duration_seconds", "How long the sub-collector's last scrape took", ["collector"]);

    private readonly ElasticsearchOptions _options;
    private readonly Uri? _configured;
    private readonly ShapeLog _shapes;
    private readonly Dictionary<string, EsHttp> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastErrors = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly AwsEnvironment _awsEnvironment;
    private readonly TimeProvider _time;
    private readonly ClusterInfoRetriever? _retriever;
    private readonly Dictionary<string, AwsSigning> _signing = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();

    public ElasticsearchCollector(ElasticsearchOptions options, CollectorCreationContext context, AwsEnvironment? awsEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        _options = options;
        _awsEnvironment = awsEnvironment ?? AwsEnvironment.Process;
        _time = context.TimeProvider;
        _logger = context.LoggerFactory.CreateLogger("Exporters.Elasticsearch");
        _configured = Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) ? uri : null;
        _shapes = new ShapeLog(context.LoggerFactory.CreateLogger("Exporters.Elasticsearch"));
        if (_configured is not null && !string.IsNullOrEmpty(_configured.UserInfo))
        {
            var parts = _configured.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                context.RegisterSecret(Uri.UnescapeDataString(parts[1]));
                context.RegisterSecret(parts[1]);
            }
        }

        context.RegisterSecret(SafeResolve(options.Password, options.PasswordFile));
        context.RegisterSecret(SafeResolve(options.ApiKey, options.ApiKeyFile));
        context.RegisterSecret(SafeResolve(options.BearerToken, options.BearerTokenFile));

        if (_configured is null)
        {
            _logger.LogInformation("elasticsearch: no uri is configured, so this instance answers /probe only");
            return;
        }

        _retriever = new ClusterInfoRetriever(Secrets.RedactTarget(options.Uri), options.ClusterInfoInterval.Value);
        if (options.SignsWithAws)
        {
            StartAwsSigning();
        }
    }

    /// <summary>Every family the collector can write, for documentation and tests.</summary>
    internal static IEnumerable<(string Collector, MetricDefinition Definition)> AllFamilies =>
    [
        .. new MetricDefinition[] { Up, Success, Duration }.Select(d => ("(self)", d)),
        .. ClusterCollectors.HealthFamilies.Select(d => ("cluster-health", d)),
        .. NodeStatsCollector.Families.Select(d => ("nodes", d)),
        .. ClusterCollectors.InfoFamilies.Select(d => ("cluster-info", d)),
        .. ClusterInfoRetriever.Families.Select(d => ("(retriever)", d)),
        .. IndicesCollector.IndexFamilies.Select(d => ("indices", d)),
        .. IndicesCollector.ShardFamilies.Select(d => ("shards", d)),
        .. ManagementCollectors.CatShardFamilies.Select(d => ("shards", d)),
        .. ManagementCollectors.AliasFamilies.Select(d => ("aliases", d)),
        .. ManagementCollectors.SettingsFamilies.Select(d => ("indices-settings", d)),
        .. ManagementCollectors.MappingFamilies.Select(d => ("indices-mappings", d)),
        .. ClusterCollectors.SettingsFamilies.Select(d => ("cluster-settings", d)),
        .. ManagementCollectors.SnapshotFamilies.Select(d => ("snapshots", d)),
        .. ManagementCollectors.SlmFamilies.Select(d => ("slm", d)),
        .. ManagementCollectors.IlmFamilies.Select(d => ("ilm", d)),
        .. ManagementCollectors.DataStreamFamilies.Select(d => ("data-stream", d)),
        .. ManagementCollectors.HealthReportFamilies.Select(d => ("health-report", d)),
        .. ManagementCollectors.TaskFamilies.Select(d => ("tasks", d)),
    ];

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writer);
        if (!context.IsProbe && _configured is null)
        {
            // No target of its own (elasticsearch_exporter without --es.uri): /metrics has no Elasticsearch families.
            return;
        }

        (string Name, ElasticsearchAuthModuleOptions Module)? module = null;
        if (context.IsProbe)
        {
            try
            {
                module = AuthModules.Select(context.ProbeParameters, _options.AuthModules);
            }
            catch (ArgumentException e)
            {
                // An unknown probe parameter or auth module: that probe reports the target as not scraped.
                context.Logger.LogWarning("elasticsearch: {Message}", e.Message);
                writer.Write(Up, 0);
                return;
            }
        }

        var targetText = context.Target ?? _options.Uri;
        if (!targetText.Contains("://", StringComparison.Ordinal))
        {
            // Probe targets are often written host:port, as Prometheus' __address__ is.
            targetText = "http://" + targetText;
        }

        if (!Uri.TryCreate(targetText, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            context.Logger.LogWarning("elasticsearch: target '{Target}' is not an http:// or https:// URI", Secrets.RedactTarget(targetText));
            writer.Write(Up, 0);
            return;
        }

        // Configured credentials (and AWS signing) go only to the configured origin, so /probe cannot send them to
        // another host; an auth module is chosen for the probe and goes where the probe goes (within the allow-list).
        var sameOrigin = _configured is not null && Uri.Compare(target, _configured, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        EsHttp http;
        try
        {
            if (module is { } selected)
            {
                http = Client(target, selected.Name, selected.Module);
                http.Authorization = ModuleAuthorization(selected.Module, target);
            }
            else
            {
                http = Client(target, sameOrigin && _options.SignsWithAws ? ConfiguredAccess : null, null);
                http.Authorization = http.Signed ? null : EsHttp.BuildAuthorization(_options, target, sameOrigin);
            }
        }
        catch (Exception e) when (e is IOException or AwsCredentialsException)
        {
            context.Logger.LogWarning("elasticsearch: {Message}", e.Message);
            writer.Write(Up, 0);
            return;
        }

        // The fetch stops a little before the host's deadline, so that partial results and self metrics still get out.
        var token = context.FetchCancellationToken;

        var c = _options.Collectors;
        var cluster = "unknown";
        var unreachable = false;

        async Task<Outcome> Run(string label, Func<SubScrape, Task<string?>> body)
        {
            var started = Stopwatch.GetTimestamp();
            var staging = new MetricWriter();
            if (unreachable)
            {
                return new Outcome(label, staging, "skipped: Elasticsearch did not answer an earlier request in this scrape", 0) { Skipped = true };
            }

            if (token.IsCancellationRequested)
            {
                return new Outcome(label, staging, "skipped: the scrape deadline was reached", 0) { Skipped = true };
            }

            var scrape = new SubScrape { Label = label, Http = http, Writer = staging, Cluster = cluster, Options = _options, Token = token, Shapes = _shapes };
            string? error = null;
            string? name = null;
            try
            {
                name = await body(scrape);
            }
            catch (EsRequestException e)
            {
                error = e.Message;
                if (e.Status is null && e.InnerException is HttpRequestException)
                {
                    unreachable = true;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                error = $"did not finish before the scrape deadline ({context.Deadline:O})";
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A JSON value of an unexpected kind somewhere the code did not guard: this sub-collector only.
                error = "unexpected response shape: " + e.Message;
            }

            return new Outcome(label, staging, error, Stopwatch.GetElapsedTime(started).TotalSeconds) { ClusterName = name, Commit = scrape.Commit };
        }

        var jobs = new List<(string Label, bool Enabled, Func<SubScrape, Task<string?>> Body)>
        {
            ("cluster-info", c.ClusterInfo, ClusterCollectors.InfoAsync),
            ("cluster-health", c.ClusterHealth, ClusterCollectors.HealthAsync),
            ("nodes", c.Nodes, async s => { await NodeStatsCollector.CollectAsync(s); return null; }),
            ("indices", c.Indices || c.Shards, async s => { await IndicesCollector.CollectAsync(s, c.Shards); return null; }),
            ("shards", c.Indices || c.Shards, async s => { await ManagementCollectors.CatShardsAsync(s); return null; }),
            ("aliases", c.AliasesEnabled, async s => { await ManagementCollectors.AliasesAsync(s); return null; }),
            ("indices-settings", c.IndicesSettings, async s => { await ManagementCollectors.IndicesSettingsAsync(s); return null; }),
            ("indices-mappings", c.IndicesMappings, async s => { await ManagementCollectors.IndicesMappingsAsync(s); return null; }),
            ("cluster-settings", c.ClusterSettings, async s => { await ClusterCollectors.SettingsAsync(s); return null; }),
            ("snapshots", c.Snapshots, async s => { await ManagementCollectors.SnapshotsAsync(s); return null; }),
            ("slm", c.Slm, async s => { await ManagementCollectors.SlmAsync(s); return null; }),
            ("ilm", c.Ilm, async s => { await ManagementCollectors.IlmAsync(s); return null; }),
            ("data-stream", c.DataStream, async s => { await ManagementCollectors.DataStreamsAsync(s); return null; }),
            ("health-report", c.HealthReport, async s => { await ManagementCollectors.HealthReportAsync(s); return null; }),
            ("tasks", c.Tasks, async s => { await ManagementCollectors.TasksAsync(s); return null; }),
        };
        jobs.RemoveAll(j => !j.Enabled);

        // The first request gives the cluster name every other family is labelled with, and tells whether the
        // cluster is reachable at all; the rest then run side by side (the handler allows a few connections).
        var outcomes = new List<Outcome>();
        if (jobs.Count > 0)
        {
            var first = await Run(jobs[0].Label, jobs[0].Body);
            if (!string.IsNullOrEmpty(first.ClusterName))
            {
                cluster = first.ClusterName;
            }

            outcomes.Add(first);
            var retrieval = Retrieve(context, http, token);
            outcomes.AddRange(await Task.WhenAll(jobs.Skip(1).Select(j => Run(j.Label, j.Body))));
            await retrieval;
        }
        else
        {
            await Retrieve(context, http, token);
        }

        var anySuccess = false;
        foreach (var outcome in outcomes)
        {
            if (outcome.Error is null)
            {
                writer.MoveFrom(outcome.Staging);
                outcome.Commit?.Invoke(writer);
                anySuccess = true;
            }

            writer.Write(Success, outcome.Error is null ? 1 : 0, outcome.Label);
            writer.Write(Duration, outcome.Seconds, outcome.Label);
            if (outcome.Skipped)
            {
                // The request that failed first has been logged; repeating it per sub-collector adds nothing.
                context.Logger.LogDebug("elasticsearch {Collector}: {Error}", outcome.Label, outcome.Error);
            }
            else
            {
                Report(context.Logger, http.DisplayBase, outcome.Label, outcome.Error);
            }
        }

        writer.Write(Up, anySuccess ? 1 : 0);
        if (!context.IsProbe)
        {
            _retriever?.WriteTo(writer);
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        DisposeClients();
        foreach (var signing in _signing.Values)
        {
            signing.Dispose();
        }

        _signing.Clear();
    }

    /// <summary>What one sub-collector produced in one scrape.</summary>
    private sealed record Outcome(string Label, MetricWriter Staging, string? Error, double Seconds)
    {
        public string? ClusterName { get; init; }

        public Action<MetricWriter>? Commit { get; init; }

        public bool Skipped { get; init; }
    }

    private static string? SafeResolve(string? value, string? file)
    {
        try
        {
            return Secrets.Resolve(value, file);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The connection set for <paramref name="target"/> with the given access: <paramref name="access"/> is null for
    /// plain requests, <see cref="ConfiguredAccess"/> for the configured AWS signing, or an auth module's name.
    /// </summary>
    private EsHttp Client(Uri target, string? access, ElasticsearchAuthModuleOptions? module)
    {
        var key = target.GetLeftPart(UriPartial.Path) + "\n" + (access ?? "-");
        if (!_clients.TryGetValue(key, out var client))
        {
            if (_clients.Count >= MaxClients)
            {
                // Probe targets come and go; dropping the pool keeps sockets bounded.
                DisposeClients();
            }

            var timeout = _options.RequestTimeout.Value;
            DelegatingHandler? signing = null;
            if (access == ConfiguredAccess)
            {
                signing = Signing(ConfiguredAccess, _options.Aws).CreateHandler();
            }
            else if (module is not null && AuthModules.ParseType(module.Type) == AuthModuleType.Aws)
            {
                signing = Signing("module:" + access, module.Aws ?? new ElasticsearchAwsOptions()).CreateHandler();
            }

            var tls = module is null ? _options.Tls : AuthModules.MergeTls(_options.Tls, module.Tls);
            var query = module is null || module.Options.Count == 0 ? null : AuthModules.Query(module.Options);
            client = new EsHttp(target, tls, _options.MaxResponseBytes, timeout, signing, query);
            _clients[key] = client;
        }

        return client;
    }

    /// <summary>The signer and credential chain for one set of <c>aws:</c> options, made once and kept.</summary>
    private AwsSigning Signing(string key, ElasticsearchAwsOptions options)
    {
        if (!_signing.TryGetValue(key, out var signing))
        {
            signing = AwsSigning.Create(options, _awsEnvironment, _time);
            _signing[key] = signing;
        }

        return signing;
    }

    /// <summary>
    /// Sets up the configured target's signing and fetches credentials once in the background, so that a broken
    /// chain shows in the log at start (elasticsearch_exporter exits instead; a sidecar that keeps running reports
    /// <c>elasticsearch_up 0</c> with the reason until the credentials work).
    /// </summary>
    private void StartAwsSigning()
    {
        var configuredCredentials = new[] { _options.Username, _options.Password, _options.PasswordFile, _options.ApiKey, _options.ApiKeyFile, _options.BearerToken, _options.BearerTokenFile }.Any(v => !string.IsNullOrEmpty(v))
            || !string.IsNullOrEmpty(_configured?.UserInfo);
        if (configuredCredentials)
        {
            _logger.LogWarning("elasticsearch: requests are signed with AWS SigV4, so the configured user name, password, API key or bearer token is not sent");
        }

        AwsSigning signing;
        try
        {
            signing = Signing(ConfiguredAccess, _options.Aws);
        }
        catch (AwsCredentialsException e)
        {
            // Checked when the options were validated; the environment changed since. Scrapes will say so too.
            _logger.LogWarning("elasticsearch: AWS signing: {Message}", e.Message);
            return;
        }

        var token = _disposed.Token;
        _ = Task.Run(
            async () =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    await signing.CheckAsync(timeout.Token);
                    _logger.LogInformation("elasticsearch: AWS SigV4 signing for region {Region} with credentials from {Source}", signing.Signer.Region, signing.Description);
                }
                catch (AwsCredentialsException e)
                {
                    _logger.LogWarning("elasticsearch: AWS credentials from {Source} are not available yet: {Message}", signing.Description, e.Message);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
                {
                    _logger.LogWarning("elasticsearch: AWS credentials from {Source} are not available yet: {Message}", signing.Description, e.Message);
                }
            },
            CancellationToken.None);
    }

    /// <summary>The authorization header of an auth module: its user and password, its API key, or the target's own user-info.</summary>
    private static AuthenticationHeaderValue? ModuleAuthorization(ElasticsearchAuthModuleOptions module, Uri target)
    {
        switch (AuthModules.ParseType(module.Type))
        {
            case AuthModuleType.UserPass:
                return Basic(module.UserPass?.Username ?? string.Empty, module.UserPass?.Password ?? string.Empty);
            case AuthModuleType.ApiKey:
                return new AuthenticationHeaderValue("ApiKey", module.ApiKey);
            case AuthModuleType.Aws:
                return null;
            default:
                if (string.IsNullOrEmpty(target.UserInfo))
                {
                    return null;
                }

                var parts = target.UserInfo.Split(':', 2);
                return Basic(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Runs the cluster-info retriever when its interval has passed (configured target only).</summary>
    private async Task Retrieve(ScrapeContext context, EsHttp http, CancellationToken token)
    {
        if (context.IsProbe || _retriever is null || !_retriever.IsDue(context.TimeProvider.GetUtcNow()))
        {
            return;
        }

        try
        {
            await _retriever.RefreshAsync(http, context.TimeProvider, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Cut short by this scrape's deadline: not the cluster's failure; the read is due again next scrape.
        }
    }

    private void DisposeClients()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    /// <summary>Logs a failure when it starts or changes, and recovery once; a failure that persists is not repeated every scrape.</summary>
    private void Report(ILogger logger, string target, string label, string? error)
    {
        _lastErrors.TryGetValue(label, out var previous);
        if (error is null)
        {
            if (previous is not null)
            {
                logger.LogInformation("elasticsearch {Collector} at {Target}: recovered", label, target);
                _lastErrors.Remove(label);
            }

            return;
        }

        if (!string.Equals(previous, error, StringComparison.Ordinal))
        {
            logger.LogWarning("elasticsearch {Collector} at {Target} failed: {Error}", label, target, error);
            _lastErrors[label] = error;
        }
        else
        {
            logger.LogDebug("elasticsearch {Collector} at {Target} still failing: {Error}", label, target, error);
        }
    }
}
