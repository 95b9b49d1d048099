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
internal sealed class RedisCollector : ICollector, IAsyncDisposable
{
    private static readonly string[] ConfigParameters = ["maxmemory", "maxclients", "io-threads", "databases"];

    private readonly RedisOptions _options;
    private readonly RedisMetrics _metrics;
    private readonly TargetResolver _resolver;
    private readonly KeyChecks? _keyChecks;
    private readonly LuaScripts? _scripts;
    private readonly TimeProvider _time;
    private readonly CollectorCreationContext _creation;

    private readonly Lock _selfLock = new();

    private RedisConnection? _connection;
    private string? _connectionKey;
    private ServerProfile? _profile;
    private long _scrapes;
    private double _scrapeSecondsSum;

    public RedisCollector(RedisOptions options, RedisEndpoint? configured, CollectorCreationContext context)
    {
        _options = options;
        _metrics = new RedisMetrics(options.Namespace);
        _resolver = new TargetResolver(options, configured);
        _keyChecks = KeyChecks.Create(options, _metrics);
        _scripts = LuaScripts.Create(options, _metrics);
        _time = context.TimeProvider;
        _creation = context;
    }

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writer);
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

        if (target is null)
        {
            error = resolveError;
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
                var scrape = new ScrapeState(writer, context, target);
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

                if (_keyChecks is not null && scrape.Profile is { Sentinel: false })
                {
                    try
                    {
                        await _keyChecks.RunAsync(keep ? _connection! : probeConnection!, writer, context, token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The server answered the main batch, so it is up; key checks report what they cut.
                        context.Logger.LogWarning("redis key checks were cut short by the scrape deadline");
                        if (keep)
                        {
                            await DropConnectionAsync();
                        }
                    }
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
    }

    public async ValueTask DisposeAsync() => await DropConnectionAsync();

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

            if (!string.IsNullOrEmpty(_options.ClientName))
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
            batch.Add(Reply.SentinelMasters, ["SENTINEL", "MASTERS"]);
            return;
        }

        if (_options.ConfigCommand != "-" && !profile.ConfigRefused)
        {
            if (profile.MajorVersion >= 7)
            {
                // Redis 7 takes several parameters in one CONFIG GET; older servers take one each.
                batch.Add(Reply.Config, [_options.ConfigCommand, "GET", .. ConfigParameters]);
            }
            else
            {
                foreach (var parameter in ConfigParameters)
                {
                    batch.Add(Reply.Config, [_options.ConfigCommand, "GET", parameter]);
                }
            }
        }

        batch.Add(Reply.SlowlogLen, ["SLOWLOG", "LEN"]);
        batch.Add(Reply.SlowlogGet, ["SLOWLOG", "GET", "1"]);
        batch.Add(Reply.LatencyLatest, ["LATENCY", "LATEST"]);
        if (_options.LatencyHistograms && profile.MajorVersion >= 7)
        {
            batch.Add(Reply.LatencyHistogram, ["LATENCY", "HISTOGRAM"]);
        }

        if (profile.Cluster)
        {
            batch.Add(Reply.ClusterInfo, ["CLUSTER", "INFO"]);
        }

        if (_options.ExportClientList)
        {
            batch.Add(Reply.ClientList, ["CLIENT", "LIST"]);
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
        WriteReplies(scrape.Writer, scrape.Context.Logger, profile, replies, info);
    }

    // Kept between scrapes so a steady scrape makes no label strings; see ReplyScratch.
    private ReplyScratch? _replyScratch = new();

    /// <summary>Turns the replies of one scrape into families; internal so the parsing benchmark runs the same code.</summary>
    internal void WriteReplies(MetricWriter writer, ILogger logger, ServerProfile profile, CommandBatch.Result replies, RespValue info)
    {
        // A probe may write while the configured target does; the second writer gets scratch of its own.
        var scratch = Interlocked.Exchange(ref _replyScratch, null) ?? new ReplyScratch();
        try
        {
            WriteReplies(writer, logger, profile, replies, info, scratch);
        }
        finally
        {
            scratch.Reset();
            Volatile.Write(ref _replyScratch, scratch);
        }
    }

    private void WriteReplies(MetricWriter writer, ILogger logger, ServerProfile profile, CommandBatch.Result replies, RespValue info, ReplyScratch scratch)
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
        var infoWriter = new InfoWriter(_metrics, writer, _time, logger, scratch);
        infoWriter.WriteInfo(info, databases);
        WriteConfig(writer, config);
        WriteSlowlog(writer, replies.SingleOrDefault(Reply.SlowlogLen), replies.SingleOrDefault(Reply.SlowlogGet));
        WriteLatencyLatest(writer, replies.SingleOrDefault(Reply.LatencyLatest), scratch.Labels);
        infoWriter.WriteLatencyHistogram(replies.SingleOrDefault(Reply.LatencyHistogram));
        if (replies.SingleOrDefault(Reply.ClusterInfo) is { IsError: false } cluster)
        {
            infoWriter.WriteClusterInfo(cluster);
        }

        if (replies.SingleOrDefault(Reply.SentinelMasters) is { IsError: false } masters)
        {
            infoWriter.WriteSentinelMasters(masters);
        }

        if (replies.SingleOrDefault(Reply.ClientList) is { IsError: false } clients)
        {
            infoWriter.WriteClientList(clients);
        }

        infoWriter.LogSkipped();
    }

    private void WriteConfig(MetricWriter writer, Dictionary<string, string> config)
    {
        Write(_metrics.ConfigMaxmemory, "maxmemory");
        Write(_metrics.ConfigMaxclients, "maxclients");
        Write(_metrics.ConfigIoThreads, "io-threads");

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

    public static ServerProfile From(string info, bool infoAllRefused)
    {
        var version = 0;
        bool cluster = false, sentinel = false;
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
            }
        }

        return new ServerProfile { InfoAllRefused = infoAllRefused, MajorVersion = version, Cluster = cluster, Sentinel = sentinel };
    }

    /// <summary>The same server after a reconnect: CONFIG is tried again in case it was enabled meanwhile.</summary>
    public ServerProfile ForNewConnection() => new() { InfoAllRefused = InfoAllRefused, MajorVersion = MajorVersion, Cluster = Cluster, Sentinel = Sentinel };
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
    SentinelMasters,
    ClientList,
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
