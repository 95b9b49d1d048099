using System.Net.Sockets;
using System.Security.Authentication;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging;

namespace Exporters.Redis;

/// <summary>
/// Scrapes one Redis server per call: all of a scrape's commands go out in one pipelined write on a connection kept
/// between scrapes, and every reply is turned into redis_exporter-compatible families.
/// </summary>
internal sealed class RedisCollector : ICollector, IAsyncDisposable, ICollectorEndpoint
{
    private static readonly string[] ConfigParameters = ["maxmemory", "maxclients", "io-threads", "databases", "repl-backlog-size", "client-output-buffer-limit"];

    // Settings whose values are passwords: never in a label unless redaction is turned off explicitly.
    private static readonly string[] RedactedSettings = ["requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass"];

    private readonly RedisOptions _options;
    private readonly RedisMetrics _metrics;
    private readonly TargetResolver _resolver;
    private readonly KeyChecks? _keyChecks;
    private readonly LuaScripts? _scripts;
    private readonly KeyGroups? _keyGroups;
    private readonly SearchIndexes? _searchIndexes;
    private readonly Sentinel _sentinel;
    private readonly InstanceRoleLabel? _roleLabel;
    private readonly string[] _configParameters;
    private readonly TimeProvider _time;
    private readonly CollectorCreationContext _creation;
    private readonly bool _scrapeOnly;

    private readonly Lock _selfLock = new();

    private RedisConnection? _connection;
    private string? _connectionKey;
    private ServerProfile? _profile;
    private long _scrapes;
    private double _scrapeSecondsSum;
    private long _targetRequestErrors;

    public RedisCollector(RedisOptions options, RedisEndpoint? configured, CollectorCreationContext context)
    {
        _options = options;
        _metrics = new RedisMetrics(options.Namespace);
        _resolver = new TargetResolver(options, configured);
        _keyChecks = KeyChecks.Create(options, _metrics);
        _scripts = LuaScripts.Create(options, _metrics);
        _keyGroups = KeyGroups.Create(options, _metrics);
        _searchIndexes = SearchIndexes.Create(options);
        _sentinel = new Sentinel(options, _metrics);
        _roleLabel = options.AppendInstanceRoleLabel ? new InstanceRoleLabel(_metrics) : null;
        _configParameters = options.IncludeConfigMetrics ? ["*"]
            : options.IncludeRdbFileSizeMetric ? [.. ConfigParameters, "dir", "dbfilename"]
            : ConfigParameters;
        _time = context.TimeProvider;
        _creation = context;
        _scrapeOnly = configured is null && string.IsNullOrEmpty(options.Address);
    }

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writer);
        if (_scrapeOnly && !context.IsProbe)
        {
            // No address: this instance exists for /scrape and /probe only, and /metrics holds nothing of it.
            return;
        }

        if (_roleLabel is null)
        {
            await CollectAsync(context, writer, null);
            return;
        }

        // Every family is written to a writer of its own first, then copied with the role the server reported.
        var inner = new MetricWriter(writer.MaxSeries);
        var role = new RoleHolder();
        await CollectAsync(context, inner, role);
        _roleLabel.Copy(inner, writer, role.Role ?? string.Empty);
    }

    private async Task CollectAsync(ScrapeContext context, MetricWriter writer, RoleHolder? roleHolder)
    {
        var started = _time.GetTimestamp();
        var scrapes = Interlocked.Increment(ref _scrapes);
        var connectSeconds = 0d;
        string? error = null;

        // The fetch stops a little before the host's deadline, so a silent server still yields redis_up 0 and the self metrics.
        var token = context.FetchCancellationToken;

        ResolvedTarget? target = null;
        string resolveError;
        try
        {
            if (!_resolver.TryResolve(context.Target, context.IsProbe, out target, out resolveError))
            {
                target = null;
            }
        }
        catch (IOException e)
        {
            // An unreadable password file: the message names the file, never its content.
            resolveError = e.Message;
        }

        KeyChecks? perRequest = null;
        if (target is not null && context.ProbeParameters.Count > 0)
        {
            // redis_exporter's /scrape takes key checks and a TLS server name per request; anything else is refused,
            // naming the parameter, rather than ignored.
            string? parameterError = context.ProbeParameters.Keys.Where(k => !ProbeParameterNames.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal).Select(k => $"unknown parameter '{k}'; known: {string.Join(", ", ProbeParameterNames)}").FirstOrDefault();
            perRequest = parameterError is null ? KeyChecks.FromParameters(_options, _metrics, context.ProbeParameters, _keyChecks, out parameterError) : null;
            var serverName = context.ProbeParameters.GetValueOrDefault("tls_server_name") ?? context.ProbeParameters.GetValueOrDefault("tls-server-name");
            if (parameterError is null && !string.IsNullOrEmpty(serverName))
            {
                if (Uri.CheckHostName(serverName) == UriHostNameType.Unknown)
                {
                    parameterError = $"parameter tls_server_name: '{serverName}' is not a host name";
                }
                else if (target.Tls is not null)
                {
                    target = target with { Tls = target.Tls with { ServerName = serverName } };
                }
            }

            if (parameterError is not null)
            {
                resolveError = parameterError;
                target = null;
            }
        }

        if (target is null)
        {
            error = resolveError;
            if (context.IsProbe)
            {
                // A /scrape or /probe request this collector could not act on (its target or a parameter).
                Interlocked.Increment(ref _targetRequestErrors);
            }
        }
        else
        {
            // A password read from a file or a probe entry is not an option value the host already knows to scrub.
            _creation.RegisterSecret(target.Password);

            // Probes use a connection of their own: the host may run a probe while the configured target is
            // being scraped, and the kept connection must never carry two scrapes at once.
            var keep = !context.IsProbe;
            RedisConnection? probeConnection = null;
            try
            {
                var scrape = new ScrapeState(writer, context, target) { RoleHolder = roleHolder };
                for (var attempt = 0; ; attempt++)
                {
                    var reused = keep && _connection is { IsBroken: false } && _connectionKey == target.ConnectionKey;
                    RedisConnection connection;
                    if (reused)
                    {
                        connection = _connection!;
                    }
                    else
                    {
                        var connectStarted = _time.GetTimestamp();
                        connection = await OpenAsync(target, token);
                        connectSeconds = _time.GetElapsedTime(connectStarted).TotalSeconds;
                        if (keep)
                        {
                            await DropConnectionAsync();
                            _connection = connection;
                            _connectionKey = target.ConnectionKey;
                        }
                        else
                        {
                            probeConnection = connection;
                        }
                    }

                    try
                    {
                        var profile = keep ? _profile : null;
                        await ScrapeAsync(connection, scrape, profile, fresh: !reused, token);
                        break;
                    }
                    catch (Exception e) when (reused && attempt == 0 && IsConnectionLoss(e) && !token.IsCancellationRequested && scrape.Untouched)
                    {
                        // The server restarted or closed an idle connection: reconnect once, within the same deadline.
                        context.Logger.LogInformation("redis connection to {Target} was lost ({Reason}); reconnecting", target.Endpoint.Display, e.Message);
                        await DropConnectionAsync();
                    }
                }

                var scraped = keep ? _connection! : probeConnection!;
                var usable = true;
                if (_options.PingOnConnect)
                {
                    var pingStarted = _time.GetTimestamp();
                    var pong = (await scraped.ExecuteAsync([(string[])["PING"]], token))[0];
                    if (!pong.IsError)
                    {
                        writer.Write(_metrics.PingTime, _time.GetElapsedTime(pingStarted).TotalSeconds);
                    }
                }

                if (scrape.Profile is { Sentinel: true })
                {
                    usable = await RunExtraAsync("Sentinel details", () => _sentinel.RunAsync(scraped, writer, token), context, keep);
                }

                var skipKeyChecks = _options.SkipCheckKeysForRoleMaster && scrape.Role is "master";
                var keyChecks = perRequest ?? _keyChecks;
                if (keyChecks is not null && scrape.Profile is { Sentinel: false } && !skipKeyChecks)
                {
                    try
                    {
                        await keyChecks.RunAsync(scraped, target, writer, context, token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The server answered the main batch, so it is up; key checks report what they cut.
                        context.Logger.LogWarning("redis key checks were cut short by the scrape deadline");
                        usable = false;
                        if (keep)
                        {
                            await DropConnectionAsync();
                        }
                    }
                }

                if (_keyGroups is not null && scrape.Profile is { Sentinel: false } && usable && !scraped.IsBroken)
                {
                    usable = await RunExtraAsync("key groups", () => _keyGroups.RunAsync(scraped, scrape.Profile.Cluster ? 1 : Math.Max(1, scrape.Databases), writer, _time, token), context, keep);
                }
                else
                {
                    // redis_exporter writes this at every scrape, key groups or not; dashboards may expect it.
                    writer.Write(_metrics.KeyGroupsDuration, 0);
                }

                if (_searchIndexes is not null && scrape.Profile is { Sentinel: false } && usable && !scraped.IsBroken)
                {
                    usable = await RunExtraAsync("search indexes", () => _searchIndexes.RunAsync(scraped, writer, token), context, keep);
                }

                // Last, in a round trip of their own: a script's reply comes only when it ends, so a slow one can
                // cost nothing but the script metrics.
                if (_scripts is not null && scrape.Profile is { Sentinel: false })
                {
                    await _scripts.RunAsync(keep ? _connection : probeConnection, writer, context, token);
                    if (keep && _connection is { IsBroken: true })
                    {
                        await DropConnectionAsync();
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or RespProtocolException or AuthenticationException or RedisServerException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException or InvalidOperationException)
            {
                error = Describe(e, context.CancellationToken.IsCancellationRequested || context.FetchCancellationToken.IsCancellationRequested);
                if (keep)
                {
                    await DropConnectionAsync();
                }
            }
            finally
            {
                if (probeConnection is not null)
                {
                    await probeConnection.DisposeAsync();
                }
            }
        }

        var shown = target?.Endpoint.Display ?? Secrets.RedactTarget(context.Target);
        if (error is null)
        {
            writer.Write(_metrics.Up, 1);
        }
        else
        {
            context.Logger.LogWarning("redis scrape of {Target} failed: {Error}", shown, error);
            writer.Write(_metrics.Up, 0);
        }

        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        double secondsSum;
        lock (_selfLock)
        {
            _scrapeSecondsSum += seconds;
            secondsSum = _scrapeSecondsSum;
        }

        writer.Write(_metrics.ScrapesTotal, scrapes);
        writer.Write(_metrics.LastScrapeDuration, seconds);
        writer.Write(_metrics.LastScrapeConnectTime, connectSeconds);
        writer.Write(_metrics.LastScrapeError, error is null ? 0 : 1, error ?? string.Empty);
        writer.Write(_metrics.ScrapeDuration, [], secondsSum, scrapes);
        writer.Write(_metrics.TargetScrapeRequestErrors, Interlocked.Read(ref _targetRequestErrors));
    }

    public async ValueTask DisposeAsync() => await DropConnectionAsync();

    /// <summary>
    /// Runs a round trip after the main batch: the server answered that, so it is up; a deadline or a refusal here
    /// costs only these families, and a connection left mid-reply is dropped.
    /// </summary>
    /// <returns>Whether the connection can still be used.</returns>
    private async Task<bool> RunExtraAsync(string what, Func<Task> run, ScrapeContext context, bool keep)
    {
        try
        {
            await run();
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or RedisServerException or RespProtocolException)
        {
            context.Logger.LogWarning("redis {What} left out of this scrape: {Error}", what, e is OperationCanceledException ? "the scrape deadline came first" : e.Message);
            if (e is RedisServerException)
            {
                return true;
            }

            if (keep)
            {
                await DropConnectionAsync();
            }

            return false;
        }
    }

    /// <summary>
    /// redis_exporter's <c>/discover-cluster-nodes</c>: Prometheus HTTP service discovery listing every node of the
    /// cluster, when <c>is_cluster</c> is on.
    /// </summary>
    public async Task<CollectorEndpointResponse> HandleAsync(string path, CancellationToken cancellationToken)
    {
        const string Text = "text/plain; charset=utf-8";
        if (!_options.IsCluster)
        {
            return new CollectorEndpointResponse(400, Text, "The discovery endpoint is only available on a Redis Cluster; start with --is-cluster\n");
        }

        try
        {
            var nodes = await DiscoverClusterNodesAsync(cancellationToken);
            var json = new System.Text.StringBuilder("[{\"targets\":[");
            for (var i = 0; i < nodes.Count; i++)
            {
                json.Append(i == 0 ? "\"" : ",\"").Append(System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(nodes[i])).Append('"');
            }

            json.Append("],\"labels\":{}}]");
            return new CollectorEndpointResponse(200, "application/json", json.ToString());
        }
        catch (Exception e) when (e is IOException or SocketException or RespProtocolException or AuthenticationException or RedisServerException)
        {
            return new CollectorEndpointResponse(500, Text, "Failed to fetch cluster nodes: " + Describe(e, timedOut: false) + "\n");
        }
    }

    /// <summary>The per-request parameters redis_exporter's <c>/scrape</c> takes.</summary>
    internal static readonly string[] ProbeParameterNames = [.. KeyChecks.ProbeParameterNames, "tls_server_name", "tls-server-name"];

    /// <summary>
    /// The nodes of the cluster the configured address belongs to, for <c>/discover-cluster-nodes</c>: one target
    /// per node, by host name where the node announces one and <c>cluster_discover_hostnames</c> is on.
    /// </summary>
    internal async Task<List<string>> DiscoverClusterNodesAsync(CancellationToken token)
    {
        if (!_resolver.TryResolve(null, isProbe: false, out var target, out var error))
        {
            throw new RedisServerException(error);
        }

        _creation.RegisterSecret(target.Password);
        await using var connection = await OpenAsync(target, token);
        if (target.Password is { } password)
        {
            var auth = (await connection.ExecuteAsync([target.User is { } user ? ["AUTH", user, password] : ["AUTH", password]], token))[0];
            if (auth.IsError)
            {
                throw new RedisServerException("AUTH failed: " + auth.Text);
            }
        }

        await using var router = new ClusterRouter(connection, target, _options.MaxReplyBytes);
        var scheme = target.Endpoint.UseTls ? "rediss://" : "redis://";
        var targets = new List<string>();
        foreach (var node in await router.NodesAsync(token))
        {
            var host = _options.ClusterDiscoverHostnames && node.Hostname is { } name ? name + node.Address[node.Address.LastIndexOf(':')..] : node.Address;
            targets.Add(scheme + host);
        }

        return targets;
    }

    private static bool IsConnectionLoss(Exception e) => e is IOException or SocketException or ObjectDisposedException;

    private static string Describe(Exception e, bool timedOut) => e switch
    {
        OperationCanceledException when timedOut => "timed out before the server answered",
        OperationCanceledException => "cancelled",
        SocketException s => $"connect: {s.SocketErrorCode}",
        RedisServerException r => r.Message,
        RespProtocolException p => "invalid reply: " + p.Message,
        AuthenticationException a => "TLS handshake failed: " + a.Message,
        _ => e.Message,
    };

    private async Task<RedisConnection> OpenAsync(ResolvedTarget target, CancellationToken token)
    {
        using var connectTimeout = new CancellationTokenSource(_options.ConnectionTimeout.Value, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, connectTimeout.Token);
        try
        {
            return await RedisConnection.ConnectAsync(target.Endpoint, target.Tls, _options.MaxReplyBytes, linked.Token);
        }
        catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new IOException($"connect: no connection within connection_timeout {_options.ConnectionTimeout}");
        }
    }

    private async Task DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        _connectionKey = null;
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>One round trip (two on a new connection whose server is not known yet).</summary>
    private async Task ScrapeAsync(RedisConnection connection, ScrapeState scrape, ServerProfile? known, bool fresh, CancellationToken token)
    {
        var batch = new CommandBatch();
        if (fresh)
        {
            if (scrape.Target.Password is { } password)
            {
                batch.Add(Reply.Auth, scrape.Target.User is { } user ? ["AUTH", user, password] : ["AUTH", password]);
            }

            if (_options.SetClientName && !string.IsNullOrEmpty(_options.ClientName))
            {
                batch.Add(Reply.SetName, ["CLIENT", "SETNAME", _options.ClientName]);
            }
        }

        var profile = fresh ? known?.ForNewConnection() : known;
        if (profile is null)
        {
            // Nothing known about this server yet: learn its version and mode first, so no command it would
            // refuse is sent (refusals count in the server's own error statistics).
            batch.Add(Reply.Info, ["INFO", "ALL"]);
            var first = await batch.ExecuteAsync(connection, token);
            CheckSetup(first);
            var info = first.Single(Reply.Info);
            if (info.IsError)
            {
                ThrowIfAuthError(info);
                batch = new CommandBatch();
                batch.Add(Reply.Info, ["INFO"]);
                info = (await batch.ExecuteAsync(connection, token)).Single(Reply.Info);
                ThrowIfError(info, "INFO");
                profile = ServerProfile.From(info.AsString()!, infoAllRefused: true);
            }
            else
            {
                ThrowIfError(info, "INFO ALL");
                profile = ServerProfile.From(info.AsString()!, infoAllRefused: false);
            }

            batch = new CommandBatch();
            AddCommands(batch, profile, includeInfo: false);
            var rest = await batch.ExecuteAsync(connection, token);
            scrape.Profile = profile;
            Write(scrape, profile, rest, info);
        }
        else
        {
            AddCommands(batch, profile, includeInfo: true);
            var replies = await batch.ExecuteAsync(connection, token);
            CheckSetup(replies);
            var info = replies.Single(Reply.Info);
            ThrowIfError(info, profile.InfoAllRefused ? "INFO" : "INFO ALL");
            scrape.Profile = profile;
            Write(scrape, profile, replies, info);
        }

        if (ReferenceEquals(connection, _connection))
        {
            _profile = scrape.Profile;
        }
    }

    private void AddCommands(CommandBatch batch, ServerProfile profile, bool includeInfo)
    {
        if (includeInfo)
        {
            batch.Add(Reply.Info, profile.InfoAllRefused ? ["INFO"] : ["INFO", "ALL"]);
        }

        if (profile.Sentinel)
        {
            // Sentinel's families come in a round trip of their own (see Sentinel), which needs the masters first.
            return;
        }

        if (_options.ConfigCommand != "-" && !profile.ConfigRefused)
        {
            if (profile.MajorVersion >= 7)
            {
                // Redis 7 takes several parameters in one CONFIG GET; older servers take one each.
                batch.Add(Reply.Config, [_options.ConfigCommand, "GET", .. _configParameters]);
            }
            else
            {
                foreach (var parameter in _configParameters)
                {
                    batch.Add(Reply.Config, [_options.ConfigCommand, "GET", parameter]);
                }
            }
        }

        batch.Add(Reply.SlowlogLen, ["SLOWLOG", "LEN"]);
        batch.Add(Reply.SlowlogGet, ["SLOWLOG", "GET", "1"]);
        if (!_options.ExcludeLatencyMetrics)
        {
            batch.Add(Reply.LatencyLatest, ["LATENCY", "LATEST"]);
            if (_options.LatencyHistograms && profile.MajorVersion >= 7)
            {
                batch.Add(Reply.LatencyHistogram, ["LATENCY", "HISTOGRAM"]);
            }
        }

        if (profile.Cluster)
        {
            batch.Add(Reply.ClusterInfo, ["CLUSTER", "INFO"]);
        }

        if (_options.ExportClientList || _options.ExportClientConnections)
        {
            batch.Add(Reply.ClientList, ["CLIENT", "LIST"]);
        }

        if (_options.IncludeModulesMetrics)
        {
            // Not part of INFO ALL: module sections come only when asked for.
            batch.Add(Reply.Modules, ["INFO", "MODULES"]);
        }

        if (_options.IsTile38)
        {
            batch.Add(Reply.Tile38, ["SERVER", "EXT"]);
        }

        if (profile.CommandLog && !profile.CommandLogRefused && !_options.IsTile38)
        {
            foreach (var (type, _) in CommandLogTypes)
            {
                batch.Add(Reply.CommandLogLength, ["COMMANDLOG", "LEN", type]);
            }

            if (_options.ConfigCommand != "-" && !profile.ConfigRefused && !_options.IncludeConfigMetrics)
            {
                batch.Add(Reply.CommandLogConfig, [_options.ConfigCommand, "GET", "commandlog-*"]);
            }
        }
    }

    // COMMANDLOG LEN's log types and the families their lengths go to, in reply order.
    private static readonly (string Type, string Metric)[] CommandLogTypes =
        [("slow", "commandlog_slow_length"), ("large-request", "commandlog_large_request_length"), ("large-reply", "commandlog_large_reply_length")];

    private static readonly (string Setting, string Metric)[] CommandLogSettings =
    [
        ("commandlog-execution-slower-than", "commandlog_execution_slower_than"),
        ("commandlog-slow-execution-max-len", "commandlog_slow_execution_max_len"),
        ("commandlog-request-larger-than", "commandlog_request_larger_than"),
        ("commandlog-large-request-max-len", "commandlog_large_request_max_len"),
        ("commandlog-reply-larger-than", "commandlog_reply_larger_than"),
        ("commandlog-large-reply-max-len", "commandlog_large_reply_max_len"),
    ];

    private void WriteCommandLog(MetricWriter writer, ILogger logger, ServerProfile profile, CommandBatch.Result replies, Dictionary<string, string> config)
    {
        var index = 0;
        foreach (var reply in replies.All(Reply.CommandLogLength))
        {
            if (reply.IsError)
            {
                profile.CommandLogRefused = true;
                logger.LogInformation("COMMANDLOG refused ({Error}); its metrics are skipped on this connection", reply.Text);
                return;
            }

            if (reply.TryGetNumber(out var length))
            {
                writer.Write((GaugeDefinition)_metrics.Field(CommandLogTypes[index].Metric, false, "COMMANDLOG LEN " + CommandLogTypes[index].Type), length);
            }

            index++;
        }

        var settings = new Dictionary<string, string>(config, StringComparer.Ordinal);
        foreach (var reply in replies.All(Reply.CommandLogConfig))
        {
            foreach (var (key, value) in reply.IsError ? [] : reply.Pairs())
            {
                settings[key] = value.AsString() ?? string.Empty;
            }
        }

        foreach (var (setting, metric) in CommandLogSettings)
        {
            if (settings.TryGetValue(setting, out var text) && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                writer.Write((GaugeDefinition)_metrics.Field(metric, false, setting), value);
            }
        }
    }

    private static void CheckSetup(CommandBatch.Result replies)
    {
        foreach (var reply in replies.All(Reply.Auth))
        {
            if (reply.IsError)
            {
                throw new RedisServerException("AUTH failed: " + reply.Text);
            }
        }
    }

    private static void ThrowIfAuthError(RespValue reply)
    {
        if (reply.Text is { } text && (text.StartsWith("NOAUTH", StringComparison.Ordinal) || text.StartsWith("WRONGPASS", StringComparison.Ordinal) || text.StartsWith("NOPERM", StringComparison.Ordinal)))
        {
            throw new RedisServerException("INFO refused: " + text);
        }
    }

    private static void ThrowIfError(RespValue reply, string command)
    {
        if (reply.IsError)
        {
            throw new RedisServerException($"{command} refused: {reply.Text}");
        }

        if (reply.Kind is not (RespKind.BulkString or RespKind.SimpleString))
        {
            throw new RespProtocolException($"{command} reply is {reply.Kind}, not text");
        }
    }

    private void Write(ScrapeState scrape, ServerProfile profile, CommandBatch.Result replies, RespValue info)
    {
        scrape.Untouched = false;
        scrape.Databases = WriteReplies(scrape.Writer, scrape.Context.Logger, profile, replies, info);
        if (_options.SkipCheckKeysForRoleMaster || scrape.RoleHolder is not null)
        {
            scrape.Role = string.Empty;
            foreach (var line in InfoText.Fields(info.AsString() ?? string.Empty))
            {
                if (line.Field.SequenceEqual("role"))
                {
                    scrape.Role = line.Value.ToString();
                    break;
                }
            }

            if (scrape.RoleHolder is not null)
            {
                scrape.RoleHolder.Role = scrape.Role;
            }
        }
    }

    // Kept between scrapes so a steady scrape makes no label strings; see ReplyScratch.
    private ReplyScratch? _replyScratch = new();

    /// <summary>Turns the replies of one scrape into families; internal so the parsing benchmark runs the same code.</summary>
    internal int WriteReplies(MetricWriter writer, ILogger logger, ServerProfile profile, CommandBatch.Result replies, RespValue info)
    {
        // A probe may write while the configured target does; the second writer gets scratch of its own.
        var scratch = Interlocked.Exchange(ref _replyScratch, null) ?? new ReplyScratch();
        try
        {
            return WriteReplies(writer, logger, profile, replies, info, scratch);
        }
        finally
        {
            scratch.Reset();
            Volatile.Write(ref _replyScratch, scratch);
        }
    }

    private int WriteReplies(MetricWriter writer, ILogger logger, ServerProfile profile, CommandBatch.Result replies, RespValue info, ReplyScratch scratch)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reply in replies.All(Reply.Config))
        {
            if (reply.IsError)
            {
                // Managed services rename or block CONFIG: only the config metrics go, and CONFIG is not sent again
                // on this connection.
                profile.ConfigRefused = true;
                logger.LogInformation("CONFIG GET refused ({Error}); config metrics are skipped on this connection", reply.Text);
                break;
            }

            foreach (var (key, value) in reply.Pairs())
            {
                if (value.AsString() is { } text)
                {
                    config[key] = text;
                }
            }
        }

        var databases = config.TryGetValue("databases", out var dbText) && int.TryParse(dbText, out var dbCount) ? Math.Min(dbCount, 1024) : 0;
        var infoWriter = new InfoWriter(_metrics, writer, _time, logger, scratch)
        {
            IncludeSystemMetrics = _options.IncludeSystemMetrics,
            IncludeEmptyDatabases = _options.IncludeMetricsForEmptyDatabases,
            PercentQuantiles = _options.LatencyPercentileQuantileLabels,
        };
        infoWriter.WriteInfo(info, databases);
        WriteConfig(writer, config);
        WriteSlowlog(writer, replies.SingleOrDefault(Reply.SlowlogLen), replies.SingleOrDefault(Reply.SlowlogGet));
        WriteLatencyLatest(writer, replies.SingleOrDefault(Reply.LatencyLatest), scratch.Labels);
        infoWriter.WriteLatencyHistogram(replies.SingleOrDefault(Reply.LatencyHistogram));
        if (replies.SingleOrDefault(Reply.ClusterInfo) is { IsError: false } cluster)
        {
            infoWriter.WriteClusterInfo(cluster);
        }

        if (replies.SingleOrDefault(Reply.ClientList) is { IsError: false } clients)
        {
            if (_options.ExportClientList)
            {
                infoWriter.WriteConnectedClients(clients, _options.ExportClientPort, _options.MaxClients);
            }

            if (_options.ExportClientConnections)
            {
                infoWriter.WriteClientList(clients);
            }
        }

        if (replies.SingleOrDefault(Reply.Modules) is { IsError: false } modules)
        {
            infoWriter.WriteModules(modules);
        }

        if (replies.SingleOrDefault(Reply.Tile38) is { IsError: false } tile38)
        {
            infoWriter.WriteTile38(tile38);
        }

        if (profile.CommandLog)
        {
            WriteCommandLog(writer, logger, profile, replies, config);
        }

        infoWriter.LogSkipped();

        // Without CONFIG, redis_exporter assumes Redis' default of 16 databases for the checks that walk them.
        return profile.Cluster ? 1 : databases > 0 ? databases : 16;
    }

    private void WriteConfig(MetricWriter writer, Dictionary<string, string> config)
    {
        Write(_metrics.ConfigMaxmemory, "maxmemory");
        Write(_metrics.ConfigMaxclients, "maxclients");
        Write(_metrics.ConfigIoThreads, "io-threads");
        Write(_metrics.ConfigReplBacklogSize, "repl-backlog-size");
        if (config.TryGetValue("client-output-buffer-limit", out var limits))
        {
            // "normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60": class, hard, soft, seconds.
            var parts = limits.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i + 3 < parts.Length; i += 4)
            {
                var bufferClass = parts[i];
                if (TryNumber(parts[i + 1], out var hard))
                {
                    writer.Write(_metrics.ConfigOutputBufferLimit, hard, bufferClass, "hard");
                }

                if (TryNumber(parts[i + 2], out var soft))
                {
                    writer.Write(_metrics.ConfigOutputBufferLimit, soft, bufferClass, "soft");
                }

                if (TryNumber(parts[i + 3], out var seconds))
                {
                    writer.Write(_metrics.ConfigOutputBufferOvercome, seconds, bufferClass, "soft");
                }
            }
        }

        if (_options.IncludeConfigMetrics)
        {
            foreach (var (key, text) in config)
            {
                if (_options.RedactConfigMetrics && RedactedSettings.Contains(key, StringComparer.Ordinal))
                {
                    continue;
                }

                writer.Write(_metrics.ConfigKeyValue, 1, key, text);
                if (TryNumber(text, out var number))
                {
                    writer.Write(_metrics.ConfigValue, number, key);
                }
            }
        }

        if (_options.IncludeRdbFileSizeMetric && config.TryGetValue("dir", out var dir) && config.TryGetValue("dbfilename", out var file))
        {
            try
            {
                var info = new FileInfo(Path.Combine(dir, file));
                if (info.Exists)
                {
                    writer.Write(_metrics.RdbCurrentSize, info.Length);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // Not on this host, or not readable: the metric is left out, as redis_exporter does.
            }
        }

        static bool TryNumber(string text, out double value) =>
            double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value);

        void Write(GaugeDefinition definition, string key)
        {
            if (config.TryGetValue(key, out var text) && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                writer.Write(definition, value);
            }
        }
    }

    private void WriteSlowlog(MetricWriter writer, RespValue? length, RespValue? last)
    {
        if (length is { Kind: RespKind.Integer })
        {
            writer.Write(_metrics.SlowlogLength, length.Integer);
        }

        if (last is { Kind: RespKind.Array })
        {
            double id = 0, duration = 0;
            if (last.Items.Length > 0 && last.Items[0] is { Kind: RespKind.Array, Items.Length: >= 3 } entry
                && entry.Items[0].TryGetNumber(out var entryId) && entry.Items[2].TryGetNumber(out var micros))
            {
                id = entryId;
                duration = micros / 1e6;
            }

            writer.Write(_metrics.SlowlogLastId, id);
            writer.Write(_metrics.LastSlowExecution, duration);
        }
    }

    private void WriteLatencyLatest(MetricWriter writer, RespValue? reply, LabelCache labels)
    {
        if (reply is not { Kind: RespKind.Array })
        {
            return;
        }

        foreach (var item in reply.Items)
        {
            if (item is { Kind: RespKind.Array, Items.Length: >= 3 } && (item.Items[0] is { HasBytes: true } bulk ? labels.Get(bulk.Utf8Bytes) : item.Items[0].AsString()) is { } name
                && item.Items[1].TryGetNumber(out var when) && item.Items[2].TryGetNumber(out var latestMs))
            {
                writer.Write(_metrics.LatencySpikeLast, when, name);
                writer.Write(_metrics.LatencySpikeDuration, latestMs / 1000, name);
            }
        }
    }

    /// <summary>What one scrape has done so far.</summary>
    private sealed class ScrapeState(MetricWriter writer, ScrapeContext context, ResolvedTarget target)
    {
        public MetricWriter Writer { get; } = writer;

        public ScrapeContext Context { get; } = context;

        public ResolvedTarget Target { get; } = target;

        public ServerProfile? Profile { get; set; }

        /// <summary>Whether nothing has been written yet, so a retry on a new connection cannot duplicate series.</summary>
        public bool Untouched { get; set; } = true;

        /// <summary>The server's databases (1 in a cluster), for the checks that walk them.</summary>
        public int Databases { get; set; } = 16;

        /// <summary>The server's role from INFO, when a setting needs it.</summary>
        public string? Role { get; set; }

        /// <summary>Where the role goes for the instance_role label, or null.</summary>
        public RoleHolder? RoleHolder { get; init; }
    }
}

/// <summary>The role a scrape found, passed from the scrape to the instance_role label.</summary>
internal sealed class RoleHolder
{
    public string? Role { get; set; }
}

/// <summary>
/// redis_exporter's <c>--append-instance-role-label</c>: every family gets an <c>instance_role</c> label with the role
/// INFO reported, so a series follows its server through a failover. The scrape writes to a writer of its own,
/// copied here with the label added; the families redis_exporter fills before it knows the role keep their labels.
/// </summary>
internal sealed class InstanceRoleLabel(RedisMetrics metrics)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<MetricDefinition, MetricDefinition> _withRole = new(ReferenceEqualityComparer.Instance);

    public void Copy(MetricWriter from, MetricWriter to, string role)
    {
        foreach (var family in from.Batch.Families)
        {
            var definition = family.Definition;
            var unlabelled = ReferenceEquals(definition, metrics.ScrapesTotal) || ReferenceEquals(definition, metrics.ScrapeDuration) || ReferenceEquals(definition, metrics.TargetScrapeRequestErrors)
                || ReferenceEquals(definition, metrics.LastScrapeConnectTime) || ReferenceEquals(definition, metrics.PingTime);
            var target = unlabelled ? definition : _withRole.GetOrAdd(definition, static d => WithRole(d));
            for (var i = 0; i < family.SeriesCount; i++)
            {
                var labels = family.GetLabelValues(i);
                // A state set's state is its last stored label value, so the role goes just before it.
                string[] values = unlabelled ? labels.ToArray()
                    : definition.Type == MetricType.StateSet ? [.. labels[..^1], role, labels[^1]]
                    : [.. labels, role];
                to.WriteSeries(target, family.GetPayload(i), values);
            }
        }
    }

    private static MetricDefinition WithRole(MetricDefinition definition)
    {
        string[] labels = [.. definition.LabelNames, "instance_role"];
        return definition switch
        {
            GaugeDefinition => new GaugeDefinition(definition.Name, definition.Help, labels, definition.Unit),
            CounterDefinition => new CounterDefinition(definition.Name, definition.Help, labels, definition.Unit),
            InfoDefinition => new InfoDefinition(definition.Name, definition.Help, labels),
            HistogramDefinition => new HistogramDefinition(definition.Name, definition.Help, labels, definition.Unit),
            SummaryDefinition summary => new SummaryDefinition(definition.Name, definition.Help, labels, definition.Unit) { MaxQuantile = summary.MaxQuantile },
            StateSetDefinition => new StateSetDefinition(definition.Name, definition.Help, labels),
            _ => definition,
        };
    }
}

/// <summary>An error reply that fails the scrape (AUTH refused, INFO refused).</summary>
internal sealed class RedisServerException(string message) : Exception(message);

/// <summary>What a server is, learned from its INFO, so each scrape sends only commands it accepts.</summary>
internal sealed class ServerProfile
{
    public bool InfoAllRefused { get; init; }

    public int MajorVersion { get; init; }

    public bool Cluster { get; init; }

    public bool Sentinel { get; init; }

    public bool ConfigRefused { get; set; }

    /// <summary>Whether the server keeps a COMMANDLOG (Valkey 8.1 and later).</summary>
    public bool CommandLog { get; init; }

    /// <summary>Whether COMMANDLOG was refused on this connection, so it is not sent again.</summary>
    public bool CommandLogRefused { get; set; }

    public static ServerProfile From(string info, bool infoAllRefused)
    {
        var version = 0;
        bool cluster = false, sentinel = false, commandLog = false;
        foreach (var line in InfoText.Fields(info))
        {
            var value = line.Value;
            switch (line.Field)
            {
                case "redis_version" or "valkey_version" when version == 0:
                    var dot = value.IndexOf('.');
                    _ = int.TryParse(dot < 0 ? value : value[..dot], out version);
                    break;
                case "redis_mode":
                    sentinel |= value is "sentinel";
                    cluster |= value is "cluster";
                    break;
                case "cluster_enabled":
                    cluster |= value is "1";
                    break;
                case "valkey_version":
                    // COMMANDLOG came with Valkey 8.1.
                    var parts = value.ToString().Split('.');
                    commandLog = parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) && (major > 8 || (major == 8 && minor >= 1));
                    break;
            }
        }

        return new ServerProfile { InfoAllRefused = infoAllRefused, MajorVersion = version, Cluster = cluster, Sentinel = sentinel, CommandLog = commandLog };
    }

    /// <summary>The same server after a reconnect: CONFIG and COMMANDLOG are tried again in case they were enabled meanwhile.</summary>
    public ServerProfile ForNewConnection() => new() { InfoAllRefused = InfoAllRefused, MajorVersion = MajorVersion, Cluster = Cluster, Sentinel = Sentinel, CommandLog = CommandLog };
}

/// <summary>What a reply in a batch is for.</summary>
internal enum Reply
{
    Auth,
    SetName,
    Info,
    Config,
    SlowlogLen,
    SlowlogGet,
    LatencyLatest,
    LatencyHistogram,
    ClusterInfo,
    ClientList,
    Modules,
    Tile38,
    CommandLogLength,
    CommandLogConfig,
}

/// <summary>Commands sent together, and their replies by purpose.</summary>
internal sealed class CommandBatch
{
    private readonly List<IReadOnlyList<string>> _commands = [];
    private readonly List<Reply> _purposes = [];

    public void Add(Reply purpose, IReadOnlyList<string> command)
    {
        _commands.Add(command);
        _purposes.Add(purpose);
    }

    public async Task<Result> ExecuteAsync(RedisConnection connection, CancellationToken token) =>
        new(_purposes, await connection.ExecuteAsync(_commands, token));

    public sealed class Result(List<Reply> purposes, RespValue[] replies)
    {
        public IEnumerable<RespValue> All(Reply purpose)
        {
            for (var i = 0; i < purposes.Count; i++)
            {
                if (purposes[i] == purpose)
                {
                    yield return replies[i];
                }
            }
        }

        public RespValue Single(Reply purpose) => SingleOrDefault(purpose) ?? throw new InvalidOperationException($"no {purpose} reply in the batch");

        public RespValue? SingleOrDefault(Reply purpose)
        {
            var index = purposes.IndexOf(purpose);
            return index < 0 ? null : replies[index];
        }
    }
}
