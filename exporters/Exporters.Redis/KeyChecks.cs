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
/// keys; whatever does not fit is cut and reported in <c>redis_exporter_key_checks_truncated</c>.
/// </summary>
internal sealed class KeyChecks
{
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

    private static List<KeySpec> Parse(string? text) => KeySpec.TryParseList(text, out var specs, out _) ? specs : [];

    public async Task RunAsync(RedisConnection connection, MetricWriter writer, ScrapeContext context, CancellationToken token)
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
                await RunChecksAsync(connection, state, linked.Token);
            }
            catch (OperationCanceledException) when (budgetSource.IsCancellationRequested && !token.IsCancellationRequested)
            {
                // The connection is mid-reply now; it is marked broken and the next scrape opens a new one.
                state.TimeCut = true;
                context.Logger.LogWarning("redis key checks stopped at their time budget of {Budget}; {Keys} keys scanned", budget, state.Scanned);
            }
            catch (Exception e) when (e is RedisServerException or RespProtocolException or IOException or System.Net.Sockets.SocketException)
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

    private static async Task<RespValue> OneAsync(RedisConnection connection, string[] command, CancellationToken token) =>
        (await connection.ExecuteAsync([command], token))[0];

    private static string[] SizeCommand(string type, string key) => type switch
    {
        "string" => ["STRLEN", key],
        "list" => ["LLEN", key],
        "set" => ["SCARD", key],
        "zset" => ["ZCARD", key],
        "hash" => ["HLEN", key],
        "stream" => ["XLEN", key],
        _ => ["EXISTS", key],
    };

    private async Task RunChecksAsync(RedisConnection connection, RunState state, CancellationToken token)
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

        foreach (var group in _singles.Concat(_patterns.Select(p => p with { Key = "\0" + p.Key })).GroupBy(s => s.Db))
        {
            await SelectAsync(group.Key);
            var keys = new List<string>();
            foreach (var spec in group)
            {
                if (spec.Key.StartsWith('\0'))
                {
                    keys.AddRange(await ScanAsync(connection, spec.Key[1..], null, state, token));
                }
                else
                {
                    keys.Add(spec.Key);
                }
            }

            await ReportKeysAsync(connection, new KeySpec(group.Key, string.Empty).DbLabel, keys.Distinct(StringComparer.Ordinal).ToList(), state, token);
        }

        foreach (var spec in _counts)
        {
            await SelectAsync(spec.Db);
            var count = (await ScanAsync(connection, spec.Key, null, state, token, countOnly: true)).Count;
            state.Writer.Write(_metrics.KeysCount, count, spec.DbLabel, spec.Key);
        }

        foreach (var group in _singleStreams.Concat(_streamPatterns.Select(p => p with { Key = "\0" + p.Key })).GroupBy(s => s.Db))
        {
            await SelectAsync(group.Key);
            var keys = new List<string>();
            foreach (var spec in group)
            {
                keys.AddRange(spec.Key.StartsWith('\0') ? await ScanAsync(connection, spec.Key[1..], "stream", state, token) : [spec.Key]);
            }

            foreach (var key in keys.Distinct(StringComparer.Ordinal))
            {
                await ReportStreamAsync(connection, new KeySpec(group.Key, key), state, token);
            }
        }

        if (selected > 0)
        {
            await SelectAsync(0);
        }
    }

    private async Task<List<string>> ScanAsync(RedisConnection connection, string pattern, string? type, RunState state, CancellationToken token, bool countOnly = false)
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

    private async Task ReportKeysAsync(RedisConnection connection, string db, List<string> keys, RunState state, CancellationToken token)
    {
        if (keys.Count > _options.MaxCheckedKeys)
        {
            keys.RemoveRange(_options.MaxCheckedKeys, keys.Count - _options.MaxCheckedKeys);
            state.CapCut = true;
        }

        if (keys.Count == 0)
        {
            return;
        }

        var types = await connection.ExecuteAsync(keys.Select(k => (IReadOnlyList<string>)["TYPE", k]).ToList(), token);
        var commands = new List<IReadOnlyList<string>>();
        var plan = new List<(string Key, bool IsString)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var type = types[i].AsString();
            if (type is null or "none" || types[i].IsError)
            {
                // A missing key is absent from the output, never a zero.
                continue;
            }

            commands.Add(SizeCommand(type, keys[i]));
            plan.Add((keys[i], type == "string"));
            if (type == "string")
            {
                // Only the start of a string: a number fits, and a huge value never crosses the wire.
                commands.Add(["GETRANGE", keys[i], "0", "63"]);
            }
        }

        if (commands.Count == 0)
        {
            return;
        }

        var replies = await connection.ExecuteAsync(commands, token);
        var index = 0;
        foreach (var (key, isString) in plan)
        {
            var size = replies[index++];
            if (size.TryGetNumber(out var length) && !size.IsError)
            {
                state.Writer.Write(_metrics.KeySize, length, db, key);
            }

            if (isString)
            {
                var value = replies[index++];
                if (length <= 64 && value.TryGetNumber(out var number) && double.IsFinite(number))
                {
                    state.Writer.Write(_metrics.KeyValue, number, db, key);
                }
            }
        }
    }

    private async Task ReportStreamAsync(RedisConnection connection, KeySpec stream, RunState state, CancellationToken token)
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

        if (replies[1].IsError)
        {
            return;
        }

        var groups = replies[1].Items.Select(g => g.Pairs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)).ToList();
        var consumerCommands = new List<IReadOnlyList<string>>();
        foreach (var group in groups)
        {
            var name = group.GetValueOrDefault("name")?.AsString() ?? string.Empty;
            if (group.GetValueOrDefault("consumers") is { } consumers && consumers.TryGetNumber(out var c))
            {
                state.Writer.Write(_metrics.StreamGroupConsumers, c, stream.DbLabel, stream.Key, name);
            }

            if (group.GetValueOrDefault("pending") is { } pending && pending.TryGetNumber(out var p))
            {
                state.Writer.Write(_metrics.StreamGroupPending, p, stream.DbLabel, stream.Key, name);
            }

            consumerCommands.Add(["XINFO", "CONSUMERS", stream.Key, name]);
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
    }

    private sealed class RunState(MetricWriter writer)
    {
        public MetricWriter Writer { get; } = writer;

        public bool TimeCut { get; set; }

        public bool CapCut { get; set; }

        public bool Failed { get; set; }

        public int Scanned { get; set; }
    }
}
