using System.Globalization;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging;

namespace Exporters.Redis;

/// <summary>A key or pattern in one database, from <c>db3=user_*</c> or <c>user_*</c> (database 0).</summary>
internal readonly record struct KeySpec(int Db, string Key)
{
    public string DbLabel => "db" + Db.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseList(string? text, out List<KeySpec> specs, out string error)
    {
        specs = [];
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            var db = 0;
            var key = raw;
            if (eq >= 0)
            {
                var dbText = raw[..eq];
                if (!dbText.StartsWith("db", StringComparison.Ordinal) || !int.TryParse(dbText.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out db))
                {
                    error = $"'{raw}' does not start with a database like db0=; write db3=pattern or pattern";
                    return false;
                }

                key = raw[(eq + 1)..];
            }

            if (key.Length == 0)
            {
                error = $"'{raw}' has an empty key or pattern";
                return false;
            }

            specs.Add(new KeySpec(db, key));
        }

        return true;
    }
}

/// <summary>
/// Opt-in key, count and stream checks. They run after the main round trip, inside a time budget and a cap on
/// keys; whatever does not fit is cut and reported in <c>redis_exporter_key_checks_truncated</c>. With
/// <c>is_cluster</c>, patterns are scanned on every primary of the cluster and single keys follow <c>MOVED</c> and
/// <c>ASK</c> to the node that holds them.
/// </summary>
internal sealed class KeyChecks
{
    /// <summary>The query parameters of redis_exporter's <c>/scrape</c> that set key checks per request.</summary>
    public static readonly string[] ProbeParameterNames = ["check-keys", "check-single-keys", "check-streams", "check-single-streams", "count-keys"];

    // A string value longer than this is not put in a label (redis_key_value_as_string): labels stay small.
    private const int MaxValueLabelBytes = 256;

    private readonly RedisOptions _options;
    private readonly RedisMetrics _metrics;
    private readonly List<KeySpec> _patterns;
    private readonly List<KeySpec> _singles;
    private readonly List<KeySpec> _counts;
    private readonly List<KeySpec> _streamPatterns;
    private readonly List<KeySpec> _singleStreams;

    private KeyChecks(RedisOptions options, RedisMetrics metrics, List<KeySpec> patterns, List<KeySpec> singles, List<KeySpec> counts, List<KeySpec> streamPatterns, List<KeySpec> singleStreams)
    {
        _options = options;
        _metrics = metrics;
        _patterns = patterns;
        _singles = singles;
        _counts = counts;
        _streamPatterns = streamPatterns;
        _singleStreams = singleStreams;
    }

    public static KeyChecks? Create(RedisOptions options, RedisMetrics metrics)
    {
        // Options are validated before creation, so a list that does not parse here cannot occur.
        var patterns = Parse(options.CheckKeys);
        var singles = Parse(options.CheckSingleKeys);
        var counts = Parse(options.CountKeys);
        var streams = Parse(options.CheckStreams);
        var singleStreams = Parse(options.CheckSingleStreams);
        return patterns.Count + singles.Count + counts.Count + streams.Count + singleStreams.Count == 0
            ? null
            : new KeyChecks(options, metrics, patterns, singles, counts, streams, singleStreams);
    }

    /// <summary>
    /// The checks a <c>/scrape</c> request asks for with redis_exporter's query parameters (each replaces the
    /// instance's list of that kind), or null when it names none.
    /// </summary>
    public KeyChecks? WithParameters(IReadOnlyDictionary<string, string> parameters, out string? error) =>
        FromParameters(_options, _metrics, parameters, this, out error);

    public static KeyChecks? FromParameters(RedisOptions options, RedisMetrics metrics, IReadOnlyDictionary<string, string> parameters, KeyChecks? configured, out string? error)
    {
        string? problemFound = null;
        List<KeySpec>? Read(string name)
        {
            if (!parameters.TryGetValue(name, out var text) || text.Length == 0)
            {
                return null;
            }

            if (!KeySpec.TryParseList(text, out var specs, out var problem))
            {
                problemFound ??= $"parameter {name}: {problem}";
            }

            return specs;
        }

        var patterns = Read("check-keys");
        var singles = Read("check-single-keys");
        var streams = Read("check-streams");
        var singleStreams = Read("check-single-streams");
        var counts = Read("count-keys");
        error = problemFound;
        if (error is not null || (patterns ?? singles ?? streams ?? singleStreams ?? counts) is null)
        {
            return null;
        }

        return new KeyChecks(
            options,
            metrics,
            patterns ?? configured?._patterns ?? [],
            singles ?? configured?._singles ?? [],
            counts ?? configured?._counts ?? [],
            streams ?? configured?._streamPatterns ?? [],
            singleStreams ?? configured?._singleStreams ?? []);
    }

    private static List<KeySpec> Parse(string? text) => KeySpec.TryParseList(text, out var specs, out _) ? specs : [];

    public async Task RunAsync(RedisConnection connection, ResolvedTarget target, MetricWriter writer, ScrapeContext context, CancellationToken token)
    {
        var remaining = context.Remaining - TimeSpan.FromMilliseconds(300);
        var budget = remaining < _options.KeyChecksBudget.Value ? remaining : _options.KeyChecksBudget.Value;
        var state = new RunState(writer);
        if (budget <= TimeSpan.Zero)
        {
            state.TimeCut = true;
        }
        else
        {
            using var budgetSource = new CancellationTokenSource(budget, context.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, budgetSource.Token);
            try
            {
                if (_options.IsCluster)
                {
                    await using var router = new ClusterRouter(connection, target, _options.MaxReplyBytes);
                    await RunClusterAsync(router, state, linked.Token);
                }
                else
                {
                    await RunChecksAsync(connection, connection, state, scanned: true, single: true, linked.Token);
                }
            }
            catch (OperationCanceledException) when (budgetSource.IsCancellationRequested && !token.IsCancellationRequested)
            {
                // The connection is mid-reply now; it is marked broken and the next scrape opens a new one.
                state.TimeCut = true;
                context.Logger.LogWarning("redis key checks stopped at their time budget of {Budget}; {Keys} keys scanned", budget, state.Scanned);
            }
            catch (Exception e) when (e is RedisServerException or RespProtocolException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
            {
                // The server answered the main scrape, so it is up; only the checks are incomplete.
                state.Failed = true;
                context.Logger.LogWarning("redis key checks failed: {Error}", e.Message);
            }
        }

        writer.Write(_metrics.KeyChecksTruncated, state.TimeCut ? 1 : 0, "time_budget");
        writer.Write(_metrics.KeyChecksTruncated, state.CapCut ? 1 : 0, "max_keys");
        writer.Write(_metrics.KeyChecksTruncated, state.Failed ? 1 : 0, "error");
        writer.Write(_metrics.KeyChecksScanned, state.Scanned);
    }

    private async Task RunClusterAsync(ClusterRouter router, RunState state, CancellationToken token)
    {
        // Keys matching a pattern live on every primary, so each is scanned; counts add up across them.
        var scans = _patterns.Count + _counts.Count + _streamPatterns.Count > 0;
        var primaries = scans ? (await router.NodesAsync(token)).Where(n => n.IsPrimary && !n.IsFailing).ToList() : [];
        var counts = new Dictionary<KeySpec, int>();
        foreach (var node in primaries)
        {
            var channel = router.Channel(node);
            await RunChecksAsync(channel, channel, state, scanned: true, single: false, token, counts);
        }

        foreach (var (spec, count) in counts)
        {
            state.Writer.Write(_metrics.KeysCount, count, spec.DbLabel, spec.Key);
        }

        // Single keys go wherever the cluster says they are.
        var routed = router.Channel(null);
        await RunChecksAsync(routed, routed, state, scanned: false, single: true, token);
    }

    private static async Task<RespValue> OneAsync(ICommandChannel connection, string[] command, CancellationToken token) =>
        (await connection.ExecuteAsync([command], token))[0];

    private static string[] SizeCommand(string type, string key) => type switch
    {
        "string" => ["STRLEN", key],
        "list" => ["LLEN", key],
        "set" => ["SCARD", key],
        "zset" => ["ZCARD", key],
        "hash" => ["HLEN", key],
        "stream" => ["XLEN", key],
        "array" => ["ARCOUNT", key],
        _ => ["EXISTS", key],
    };

    private async Task RunChecksAsync(ICommandChannel connection, ICommandChannel keys, RunState state, bool scanned, bool single, CancellationToken token, Dictionary<KeySpec, int>? countInto = null)
    {
        var selected = -1;
        async Task SelectAsync(int db)
        {
            if (db != selected)
            {
                var reply = await OneAsync(connection, ["SELECT", db.ToString(CultureInfo.InvariantCulture)], token);
                if (reply.IsError)
                {
                    throw new RedisServerException($"SELECT {db} refused: {reply.Text}");
                }

                selected = db;
            }
        }

        var keySpecs = (single ? _singles : []).Concat(scanned ? _patterns.Select(p => p with { Key = "\0" + p.Key }) : []);
        foreach (var group in keySpecs.GroupBy(s => s.Db))
        {
            await SelectAsync(group.Key);
            var found = new List<string>();
            foreach (var spec in group)
            {
                if (spec.Key.StartsWith('\0'))
                {
                    found.AddRange(await ScanAsync(connection, spec.Key[1..], null, state, token));
                }
                else
                {
                    found.Add(spec.Key);
                }
            }

            // In a cluster a key can be found by a node's scan and named as a single key too; it is reported once.
            var fresh = found.Distinct(StringComparer.Ordinal).Where(k => state.ReportedKeys.Add((group.Key, k))).ToList();
            await ReportKeysAsync(keys, new KeySpec(group.Key, string.Empty).DbLabel, fresh, state, token);
        }

        foreach (var spec in scanned ? _counts : [])
        {
            await SelectAsync(spec.Db);
            var count = (await ScanAsync(connection, spec.Key, null, state, token, countOnly: true)).Count;
            if (countInto is null)
            {
                state.Writer.Write(_metrics.KeysCount, count, spec.DbLabel, spec.Key);
            }
            else
            {
                countInto[spec] = countInto.GetValueOrDefault(spec) + count;
            }
        }

        var streamSpecs = (single ? _singleStreams : []).Concat(scanned ? _streamPatterns.Select(p => p with { Key = "\0" + p.Key }) : []);
        foreach (var group in streamSpecs.GroupBy(s => s.Db))
        {
            await SelectAsync(group.Key);
            var streams = new List<string>();
            foreach (var spec in group)
            {
                streams.AddRange(spec.Key.StartsWith('\0') ? await ScanAsync(connection, spec.Key[1..], "stream", state, token) : [spec.Key]);
            }

            foreach (var key in streams.Distinct(StringComparer.Ordinal).Where(k => state.ReportedStreams.Add((group.Key, k))))
            {
                await ReportStreamAsync(keys, new KeySpec(group.Key, key), state, token);
            }
        }

        if (selected > 0)
        {
            await SelectAsync(0);
        }
    }

    private async Task<List<string>> ScanAsync(ICommandChannel connection, string pattern, string? type, RunState state, CancellationToken token, bool countOnly = false)
    {
        var found = new List<string>();
        var cursor = "0";
        var batch = Math.Max(1, _options.CheckKeysBatchSize).ToString(CultureInfo.InvariantCulture);
        do
        {
            string[] command = type is null
                ? ["SCAN", cursor, "MATCH", pattern, "COUNT", batch]
                : ["SCAN", cursor, "MATCH", pattern, "COUNT", batch, "TYPE", type];
            var reply = await OneAsync(connection, command, token);
            if (reply.IsError || reply.Items.Length != 2 || reply.Items[0].AsString() is not { } next)
            {
                throw new RedisServerException("SCAN failed: " + (reply.IsError ? reply.Text : "unexpected reply " + reply));
            }

            cursor = next;
            foreach (var item in reply.Items[1].Items)
            {
                state.Scanned++;
                if (item.AsString() is { } key)
                {
                    if (!countOnly && found.Count >= _options.MaxCheckedKeys)
                    {
                        state.CapCut = true;
                        return found;
                    }

                    found.Add(key);
                }
            }
        }
        while (cursor != "0");
        return found;
    }

    private async Task ReportKeysAsync(ICommandChannel connection, string db, List<string> keys, RunState state, CancellationToken token)
    {
        var room = _options.MaxCheckedKeys - state.Reported;
        if (keys.Count > room)
        {
            keys.RemoveRange(Math.Max(0, room), keys.Count - Math.Max(0, room));
            state.CapCut = true;
        }

        if (keys.Count == 0)
        {
            return;
        }

        state.Reported += keys.Count;

        // TYPE and MEMORY USAGE of every key in one round trip; what follows depends on the type.
        var first = new List<IReadOnlyList<string>>(keys.Count * 2);
        foreach (var key in keys)
        {
            first.Add((string[])["TYPE", key]);
            first.Add((string[])["MEMORY", "USAGE", key]);
        }

        var typeReplies = await connection.ExecuteAsync(first, token);
        var commands = new List<IReadOnlyList<string>>();
        var plan = new List<(string Key, bool IsString)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var typeReply = typeReplies[2 * i];
            var type = typeReply.AsString();
            if (type is null or "none" || typeReply.IsError)
            {
                // A missing key is absent from the output, never a zero.
                continue;
            }

            if (typeReplies[(2 * i) + 1] is { Kind: RespKind.Integer } usage)
            {
                state.Writer.Write(_metrics.KeyMemoryUsage, usage.Integer, db, keys[i]);
            }

            commands.Add(SizeCommand(type, keys[i]));
            plan.Add((keys[i], type == "string"));
            if (type == "string")
            {
                // Only the start of a string: a number or a short value fits, and a huge value never crosses the wire.
                commands.Add(["GETRANGE", keys[i], "0", (MaxValueLabelBytes - 1).ToString(CultureInfo.InvariantCulture)]);
            }
        }

        if (commands.Count == 0)
        {
            return;
        }

        var replies = await connection.ExecuteAsync(commands, token);
        var index = 0;
        var hyperLogLogs = new List<string>();
        foreach (var (key, isString) in plan)
        {
            var size = replies[index++];
            if (!isString)
            {
                if (size.TryGetNumber(out var length) && !size.IsError)
                {
                    state.Writer.Write(_metrics.KeySize, length, db, key);
                }

                continue;
            }

            var value = replies[index++];
            if (value.HasBytes && value.Utf8Bytes.StartsWith("HYLL"u8))
            {
                // A HyperLogLog is a string whose length says nothing; its size is its cardinality estimate.
                hyperLogLogs.Add(key);
                continue;
            }

            if (!size.TryGetNumber(out var stringLength) || size.IsError)
            {
                continue;
            }

            state.Writer.Write(_metrics.KeySize, stringLength, db, key);
            if (_options.DisableExportingKeyValues || stringLength == 0)
            {
                continue;
            }

            if (stringLength <= 64 && value.TryGetNumber(out var number) && double.IsFinite(number))
            {
                state.Writer.Write(_metrics.KeyValue, number, db, key);
            }
            else if (stringLength <= MaxValueLabelBytes && value.AsString() is { } text)
            {
                state.Writer.Write(_metrics.KeyValueAsString, 1, db, key, text);
            }
        }

        if (hyperLogLogs.Count > 0)
        {
            var counts = await connection.ExecuteAsync(hyperLogLogs.Select(k => (IReadOnlyList<string>)["PFCOUNT", k]).ToList(), token);
            for (var i = 0; i < counts.Length; i++)
            {
                if (!counts[i].IsError && counts[i].TryGetNumber(out var cardinality))
                {
                    state.Writer.Write(_metrics.KeySize, cardinality, db, hyperLogLogs[i]);
                }
            }
        }
    }

    private async Task ReportStreamAsync(ICommandChannel connection, KeySpec stream, RunState state, CancellationToken token)
    {
        var replies = await connection.ExecuteAsync([(string[])["XINFO", "STREAM", stream.Key], (string[])["XINFO", "GROUPS", stream.Key]], token);
        if (replies[0].IsError)
        {
            return;
        }

        var info = replies[0].Pairs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var labels = new[] { stream.DbLabel, stream.Key };
        Write(_metrics.StreamLength, "length");
        Write(_metrics.StreamGroups, "groups");
        Write(_metrics.StreamRadixKeys, "radix-tree-keys");
        Write(_metrics.StreamRadixNodes, "radix-tree-nodes");
        WriteId(_metrics.StreamLastGeneratedId, info.GetValueOrDefault("last-generated-id"), labels);
        WriteId(_metrics.StreamMaxDeletedId, info.GetValueOrDefault("max-deleted-entry-id"), labels);
        WriteId(_metrics.StreamFirstEntryId, EntryId(info.GetValueOrDefault("first-entry")), labels);
        WriteId(_metrics.StreamLastEntryId, EntryId(info.GetValueOrDefault("last-entry")), labels);
        if (info.TryGetValue("entries-added", out var added) && added.TryGetNumber(out var addedCount))
        {
            state.Writer.Write(_metrics.StreamEntriesAdded, addedCount, labels);
        }

        if (replies[1].IsError)
        {
            return;
        }

        var groups = replies[1].Items.Select(g => g.Pairs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)).ToList();
        var consumerCommands = new List<IReadOnlyList<string>>();
        foreach (var group in groups)
        {
            var name = group.GetValueOrDefault("name")?.AsString() ?? string.Empty;
            WriteGroup(_metrics.StreamGroupConsumers, group.GetValueOrDefault("consumers"), name);
            WriteGroup(_metrics.StreamGroupPending, group.GetValueOrDefault("pending"), name);
            WriteGroup(_metrics.StreamGroupEntriesRead, group.GetValueOrDefault("entries-read"), name);
            WriteGroup(_metrics.StreamGroupLag, group.GetValueOrDefault("lag"), name);
            WriteId(_metrics.StreamGroupLastDeliveredId, group.GetValueOrDefault("last-delivered-id"), [stream.DbLabel, stream.Key, name]);
            if (!_options.StreamsExcludeConsumerMetrics)
            {
                consumerCommands.Add(["XINFO", "CONSUMERS", stream.Key, name]);
            }
        }

        if (consumerCommands.Count == 0)
        {
            return;
        }

        var consumerReplies = await connection.ExecuteAsync(consumerCommands, token);
        for (var i = 0; i < consumerReplies.Length; i++)
        {
            var groupName = consumerCommands[i][3];
            foreach (var consumer in consumerReplies[i].IsError ? [] : consumerReplies[i].Items)
            {
                var fields = consumer.Pairs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                var name = fields.GetValueOrDefault("name")?.AsString() ?? string.Empty;
                if (fields.GetValueOrDefault("pending") is { } pending && pending.TryGetNumber(out var p))
                {
                    state.Writer.Write(_metrics.StreamConsumerPending, p, stream.DbLabel, stream.Key, groupName, name);
                }

                if (fields.GetValueOrDefault("idle") is { } idle && idle.TryGetNumber(out var ms))
                {
                    state.Writer.Write(_metrics.StreamConsumerIdle, ms / 1000, stream.DbLabel, stream.Key, groupName, name);
                }
            }
        }

        void Write(GaugeDefinition definition, string field)
        {
            if (info.TryGetValue(field, out var value) && value.TryGetNumber(out var number))
            {
                state.Writer.Write(definition, number, labels);
            }
        }

        void WriteGroup(GaugeDefinition definition, RespValue? value, string group)
        {
            // lag is null while Redis cannot tell it (after deletions); redis_exporter reports 0 then.
            var number = 0d;
            if (value is null || (!value.IsNull && !value.TryGetNumber(out number)))
            {
                return;
            }

            state.Writer.Write(definition, number, stream.DbLabel, stream.Key, group);
        }

        void WriteId(GaugeDefinition definition, RespValue? id, string[] idLabels)
        {
            // Stream ids are <milliseconds>-<sequence>; the family holds the milliseconds, as redis_exporter's does.
            var text = id?.AsString();
            var dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
            var millis = 0d;
            if (text is { Length: > 0 } && !double.TryParse(dash < 0 ? text : text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out millis))
            {
                return;
            }

            state.Writer.Write(definition, millis, idLabels);
        }
    }

    /// <summary>The id of a stream entry reply (an array of id and fields), or null for an empty stream.</summary>
    private static RespValue? EntryId(RespValue? entry) => entry is { Kind: RespKind.Array, Items.Length: > 0 } ? entry.Items[0] : null;

    private sealed class RunState(MetricWriter writer)
    {
        public MetricWriter Writer { get; } = writer;

        public bool TimeCut { get; set; }

        public bool CapCut { get; set; }

        public bool Failed { get; set; }

        public int Scanned { get; set; }

        public int Reported { get; set; }

        public HashSet<(int Db, string Key)> ReportedKeys { get; } = [];

        public HashSet<(int Db, string Key)> ReportedStreams { get; } = [];
    }
}
