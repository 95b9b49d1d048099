using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging;

namespace Exporters.Redis;

/// <summary>
/// Turns the text and array replies of one scrape into families; a field it cannot read is skipped and logged.
/// Replies are read as spans; strings are made only for label values, through the collector's
/// <see cref="ReplyScratch"/>, which a steady scrape finds already holding them.
/// </summary>
internal sealed class InfoWriter(RedisMetrics metrics, MetricWriter writer, TimeProvider time, ILogger logger, ReplyScratch scratch)
{
    private static readonly string[] InstanceInfoFields = ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid"];
    private static readonly (string Key, double Quantile)[] Percentiles = [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)];

    private readonly List<string> _skipped = [];

    /// <summary>Whether <c>total_system_memory</c> is written as <c>redis_total_system_memory_bytes</c>.</summary>
    public bool IncludeSystemMetrics { get; init; }

    /// <summary>Whether databases below <c>databases</c> that hold no key report zeros.</summary>
    public bool IncludeEmptyDatabases { get; init; } = true;

    /// <summary>Whether latency percentiles carry redis_exporter's quantile labels (50, 99, 99.9).</summary>
    public bool PercentQuantiles { get; init; }

    /// <summary>Fields skipped in this scrape, with the reason.</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    public void WriteInfo(RespValue info, int databases)
    {
        char[]? rented = null;
        try
        {
            WriteInfo(info.DecodeText(ArrayPool<char>.Shared, ref rented), databases);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public void WriteInfo(ReadOnlySpan<char> info, int databases)
    {
        var seen = scratch.Fields;
        var percentiles = scratch.Percentiles;
        var seenDatabases = scratch.Databases;
        foreach (var line in InfoText.Fields(info))
        {
            var field = line.Field;
            var value = line.Value;
            if (!seen.TryAdd(info, line.FieldStart, field.Length, value.Length))
            {
                Skip(field, "appears twice; the first value is kept");
                continue;
            }

            if (MappedFields.Lookup.TryGetValue(field, out var mapped))
            {
                if (TryNumber(field, value, out var number))
                {
                    Write(Definition(mapped), number * mapped.Scale);
                }

                continue;
            }

            if (field is "hz" or "configured_hz")
            {
                if (TryNumber(field, value, out var hz))
                {
                    writer.Write(field is "hz" ? metrics.Hz : metrics.ConfiguredHz, hz);
                }
            }
            else if (field is "total_system_memory")
            {
                if (IncludeSystemMetrics && TryNumber(field, value, out var bytes))
                {
                    Write(metrics.Field("total_system_memory_bytes", false, "total_system_memory"), bytes);
                }
            }
            else if (field.StartsWith("used_active_time_io_thread_") && int.TryParse(field["used_active_time_io_thread_".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                // Valkey 9.1: the active time of each I/O thread, as redis_exporter reports it.
                if (TryNumber(field, value, out var seconds))
                {
                    writer.Write(metrics.ActiveTimeIoThread, seconds, scratch.Labels.Get(field["used_active_time_io_thread_".Length..]));
                }
            }
            else if (field.StartsWith("cmdstat_"))
            {
                WriteCommandStat(field["cmdstat_".Length..], value);
            }
            else if (field.StartsWith("errorstat_"))
            {
                if (InfoText.TryGetPair(value, "count", out var count) && TryNumber(field, count, out var n))
                {
                    writer.Write(metrics.ErrorsTotal, n, scratch.Labels.Get(field["errorstat_".Length..]));
                }
            }
            else if (field.StartsWith("latency_percentiles_usec_"))
            {
                percentiles.Add((line.FieldStart, field.Length, value.Length));
            }
            else if (line.Section.SequenceEqual("Keyspace") && field.StartsWith("db") && int.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                WriteKeyspace(field, value);
                seenDatabases.Add(db);
            }
            else if (field.StartsWith("slave") && field.Length > 5 && char.IsAsciiDigit(field[5]) && value.Contains('='))
            {
                WriteConnectedSlave(field, value);
            }
            else if (field.StartsWith("master") && field.Length > 6 && char.IsAsciiDigit(field[6]) && value.Contains("name=", StringComparison.Ordinal))
            {
                WriteSentinelMaster(value);
            }
            else if (field.StartsWith("cluster_") || field.StartsWith("sentinel_"))
            {
                if (TryNumber(field, value, out var number))
                {
                    var name = scratch.Labels.Get(field);
                    Write(metrics.Field(name, false, name), number);
                }
            }
        }

        Span<char> dbLabel = stackalloc char[16];
        for (var db = 0; IncludeEmptyDatabases && db < databases; db++)
        {
            if (!seenDatabases.Contains(db))
            {
                "db".CopyTo(dbLabel);
                db.TryFormat(dbLabel[2..], out var digits, default, CultureInfo.InvariantCulture);
                var label = scratch.Labels.Get(dbLabel[..(2 + digits)]);
                writer.Write(metrics.DbKeys, 0, label);
                writer.Write(metrics.DbKeysExpiring, 0, label);
            }
        }

        foreach (var (start, fieldLength, valueLength) in percentiles)
        {
            var field = info.Slice(start, fieldLength);
            WritePercentiles(field["latency_percentiles_usec_".Length..], info.Slice(start + fieldLength + 1, valueLength));
        }

        WriteInstance(info);
    }

    public void WriteLatencyHistogram(RespValue? reply)
    {
        if (reply is null || reply.IsError || !reply.IsAggregate || reply.Kind is not (RespKind.Map or RespKind.Array))
        {
            return;
        }

        var buckets = scratch.Buckets;
        var pairs = reply.Items;
        for (var p = 0; p + 1 < pairs.Length; p += 2)
        {
            var name = pairs[p];
            var details = pairs[p + 1];
            string command;
            if (name.HasBytes)
            {
                command = scratch.Labels.Get(name.Utf8Bytes);
            }
            else if (name.AsString() is { } text)
            {
                command = text;
            }
            else
            {
                continue;
            }

            double calls = 0;
            RespValue? histogram = null;
            if (details.Kind is RespKind.Map or RespKind.Array)
            {
                var fields = details.Items;
                for (var f = 0; f + 1 < fields.Length; f += 2)
                {
                    var key = fields[f];
                    if (key.TextEquals("calls"))
                    {
                        fields[f + 1].TryGetNumber(out calls);
                    }
                    else if (key.TextEquals("histogram_usec"))
                    {
                        histogram = fields[f + 1];
                    }
                }
            }

            if (histogram is null)
            {
                Skip("LATENCY HISTOGRAM " + command, "has no histogram_usec");
                continue;
            }

            buckets.Clear();
            var valid = true;
            var items = histogram.Items;
            for (var i = 0; i + 1 < items.Length; i += 2)
            {
                if (!items[i].TryGetNumber(out var le) || !items[i + 1].TryGetNumber(out var cumulative))
                {
                    valid = false;
                    break;
                }

                buckets.Add(new HistogramBucket(le, cumulative));
            }

            if (!valid)
            {
                Skip("LATENCY HISTOGRAM " + command, "has a non-numeric bucket");
                continue;
            }

            var sum = scratch.Commands.TryGetValue(command, out var stat) ? stat.Usec : 0;
            writer.Write(metrics.LatencyHistogram, CollectionsMarshal.AsSpan(buckets), sum, calls, command);
        }
    }

    public void WriteClusterInfo(RespValue reply)
    {
        char[]? rented = null;
        try
        {
            foreach (var line in InfoText.Fields(reply.DecodeText(ArrayPool<char>.Shared, ref rented)))
            {
                var field = line.Field;
                MetricDefinition definition;
                if (MappedFields.Lookup.TryGetValue(field, out var mapped) && (mapped.Converted ? mapped.Plain : mapped) is { } plain)
                {
                    // CLUSTER INFO reads the plain map only: no unit conversion here.
                    definition = Definition(plain);
                }
                else if (field.StartsWith("cluster_"))
                {
                    var name = scratch.Labels.Get(field);
                    definition = metrics.Field(name, false, name);
                }
                else
                {
                    continue;
                }

                if (TryNumber(field, line.Value, out var number))
                {
                    Write(definition, number);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public void WriteClientList(RespValue reply)
    {
        const int MaxGroups = 1000;
        var groups = new Dictionary<(string Name, string Flags), int>();
        char[]? rented = null;
        try
        {
            foreach (var row in reply.DecodeText(ArrayPool<char>.Shared, ref rented).EnumerateLines())
            {
                var line = row.Trim();
                if (line.IsEmpty)
                {
                    continue;
                }

                var name = InfoText.TryGetPair(line, "name", out var n, ' ') ? scratch.Labels.Get(n) : string.Empty;
                var flags = InfoText.TryGetPair(line, "flags", out var f, ' ') ? scratch.Labels.Get(f) : string.Empty;
                var key = (name, flags);
                if (groups.TryGetValue(key, out var count))
                {
                    groups[key] = count + 1;
                }
                else if (groups.Count < MaxGroups)
                {
                    groups[key] = 1;
                }
                else
                {
                    groups[(string.Empty, "other")] = groups.GetValueOrDefault((string.Empty, "other")) + 1;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        foreach (var ((name, flags), count) in groups)
        {
            writer.Write(metrics.ClientConnections, count, name, flags);
        }
    }

    /// <summary>
    /// redis_exporter's per-client families: <c>redis_connected_client_info</c> and the gauges of
    /// <see cref="RedisMetrics.ClientGaugeNames"/>, one series per client, for at most <paramref name="maxClients"/>
    /// clients (the rest are counted in <c>redis_exporter_clients_not_listed</c>).
    /// </summary>
    public void WriteConnectedClients(RespValue reply, bool includePort, int maxClients)
    {
        var now = Math.Floor(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000d);
        var gauges = RedisMetrics.ClientGaugeNames;
        var listed = 0;
        var notListed = 0;
        char[]? rented = null;
        try
        {
            foreach (var row in reply.DecodeText(ArrayPool<char>.Shared, ref rented).EnumerateLines())
            {
                var line = row.Trim();
                if (!line.StartsWith("id=") || !InfoText.TryGetPair(line, "id", out var idText, ' ') || !InfoText.TryGetPair(line, "addr", out var addr, ' '))
                {
                    continue;
                }

                if (listed >= maxClients)
                {
                    notListed++;
                    continue;
                }

                listed++;

                // The address is host:port, and an IPv6 host holds colons of its own.
                var colon = addr.LastIndexOf(':');
                var host = colon < 0 ? addr.ToString() : addr[..colon].ToString();
                var port = colon < 0 ? string.Empty : addr[(colon + 1)..].ToString();
                var id = idText.ToString();
                var name = Pair(line, "name");
                var flags = Pair(line, "flags");
                var db = Pair(line, "db");
                var user = Pair(line, "user");
                var resp = Pair(line, "resp");
                if (includePort)
                {
                    writer.Write(metrics.ConnectedClientInfoWithPort, 1, id, name, flags, db, host, port, user, resp);
                }
                else
                {
                    writer.Write(metrics.ConnectedClientInfo, 1, id, name, flags, db, host, user, resp);
                }

                for (var g = 0; g < gauges.Length; g++)
                {
                    if (!InfoText.TryGetPair(line, gauges[g].Field, out var text, ' ') || !InfoText.TryParseValue(text, out var value))
                    {
                        continue;
                    }

                    writer.Write(metrics.ConnectedClientGauges[g], gauges[g].Field is "age" or "idle" ? now - value : value, id, name);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        writer.Write(metrics.ClientsNotListed, notListed);

        string Pair(ReadOnlySpan<char> line, string key) => InfoText.TryGetPair(line, key, out var found, ' ') ? scratch.Labels.Get(found) : string.Empty;
    }

    /// <summary>Tile38's <c>SERVER EXT</c> pairs, as the INFO fields <c>tile38_*</c> of the field map.</summary>
    public void WriteTile38(RespValue reply)
    {
        for (var i = 0; i + 1 < reply.Items.Length; i += 2)
        {
            if (reply.Items[i].AsString() is not { } key || reply.Items[i + 1].AsString() is not { } value)
            {
                continue;
            }

            var field = key.StartsWith("tile38_", StringComparison.Ordinal) ? key : "tile38_" + key;
            if (MappedFields.Lookup.TryGetValue(field, out var mapped) && !writer.HasFamily(Definition(mapped)) && TryNumber(field, value, out var number))
            {
                Write(Definition(mapped), number * mapped.Scale);
            }
        }
    }

    /// <summary>The modules of <c>INFO MODULES</c> in <c>redis_module_info</c>, and their numeric fields as INFO fields.</summary>
    public void WriteModules(RespValue reply)
    {
        char[]? rented = null;
        try
        {
            var text = reply.DecodeText(ArrayPool<char>.Shared, ref rented);
            foreach (var line in InfoText.Fields(text))
            {
                var field = line.Field;
                var value = line.Value;
                if (field.StartsWith("module") && value.Contains("name=", StringComparison.Ordinal))
                {
                    writer.Write(metrics.ModuleInfo, 1, Label(value, "name"), Label(value, "ver"), Label(value, "api"), Label(value, "filters"), Label(value, "usedby"), Label(value, "using"));
                }
                else if (MappedFields.Lookup.TryGetValue(field, out var mapped) && !writer.HasFamily(Definition(mapped)) && TryNumber(field, value, out var number))
                {
                    // A field INFO ALL already gave (a server that bundles its modules) is not written twice.
                    Write(Definition(mapped), number * mapped.Scale);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public void LogSkipped()
    {
        if (_skipped.Count > 0)
        {
            logger.LogDebug("skipped {Count} redis fields: {Fields}", _skipped.Count, string.Join("; ", _skipped.Take(20)));
        }
    }

    private MetricDefinition Definition(MappedField mapped)
    {
        var definitions = scratch.Definitions;
        return definitions[mapped.Index] ??= metrics.Field(mapped.Metric, mapped.Counter, mapped.Field);
    }

    private bool TryNumber(ReadOnlySpan<char> field, ReadOnlySpan<char> value, out double number)
    {
        if (InfoText.TryParseValue(value, out number))
        {
            return true;
        }

        Skip(field, "value is not a number");
        return false;
    }

    private void Skip(ReadOnlySpan<char> field, string reason)
    {
        if (_skipped.Count < 100)
        {
            _skipped.Add(string.Concat(field, ": ", reason));
        }
    }

    private void Write(MetricDefinition definition, double value)
    {
        switch (definition)
        {
            case CounterDefinition counter:
                writer.Write(counter, value);
                break;
            case GaugeDefinition gauge:
                writer.Write(gauge, value);
                break;
        }
    }

    private void WriteCommandStat(ReadOnlySpan<char> command, ReadOnlySpan<char> value)
    {
        // One pass over the pairs; a key given twice keeps its last value, as a lookup table built from them would.
        ReadOnlySpan<char> callsText = default, usecText = default, rejected = default, failed = default;
        bool hasCalls = false, hasUsec = false, hasRejected = false, hasFailed = false;
        foreach (var pair in InfoText.Pairs(value))
        {
            switch (pair.Key)
            {
                case "calls":
                    callsText = pair.Value;
                    hasCalls = true;
                    break;
                case "usec":
                    usecText = pair.Value;
                    hasUsec = true;
                    break;
                case "rejected_calls":
                    rejected = pair.Value;
                    hasRejected = true;
                    break;
                case "failed_calls":
                    failed = pair.Value;
                    hasFailed = true;
                    break;
            }
        }

        if (!hasCalls || !hasUsec || !InfoText.TryParseValue(callsText, out var calls) || !InfoText.TryParseValue(usecText, out var usec))
        {
            Skip(string.Concat("cmdstat_", command), "has no numeric calls and usec");
            return;
        }

        var label = scratch.Labels.Get(command);
        scratch.Commands[label] = (calls, usec);
        writer.Write(metrics.CommandsTotal, calls, label);
        writer.Write(metrics.CommandsDuration, usec / 1e6, label);
        if (hasRejected && InfoText.TryParseValue(rejected, out var r))
        {
            writer.Write(metrics.CommandsRejected, r, label);
        }

        if (hasFailed && InfoText.TryParseValue(failed, out var f))
        {
            writer.Write(metrics.CommandsFailed, f, label);
        }
    }

    private void WritePercentiles(ReadOnlySpan<char> command, ReadOnlySpan<char> value)
    {
        Span<SummaryQuantile> quantiles = stackalloc SummaryQuantile[Percentiles.Length];
        var count = 0;
        foreach (var (key, quantile) in Percentiles)
        {
            if (InfoText.TryGetPair(value, key, out var text) && InfoText.TryParseValue(text, out var usec))
            {
                quantiles[count++] = new SummaryQuantile(PercentQuantiles ? Math.Round(quantile * 100, 3) : quantile, usec);
            }
        }

        var label = scratch.Labels.Get(command);
        var (calls, sum) = scratch.Commands.GetValueOrDefault(label);
        writer.Write(PercentQuantiles ? metrics.LatencyPercentilesAsPercent : metrics.LatencyPercentiles, quantiles[..count], sum, calls, label);
    }

    private void WriteKeyspace(ReadOnlySpan<char> db, ReadOnlySpan<char> value)
    {
        var label = scratch.Labels.Get(db);
        if (InfoText.TryGetPair(value, "keys", out var keys) && InfoText.TryParseValue(keys, out var k))
        {
            writer.Write(metrics.DbKeys, k, label);
        }
        else
        {
            Skip(db, "has no numeric keys");
        }

        if (InfoText.TryGetPair(value, "expires", out var expires) && InfoText.TryParseValue(expires, out var e))
        {
            writer.Write(metrics.DbKeysExpiring, e, label);
        }

        if (InfoText.TryGetPair(value, "avg_ttl", out var ttl) && InfoText.TryParseValue(ttl, out var t))
        {
            writer.Write(metrics.DbAvgTtl, t / 1000, label);
        }

        // KeyDB's keyspace lines carry cached_keys too.
        if (InfoText.TryGetPair(value, "cached_keys", out var cached) && InfoText.TryParseValue(cached, out var c))
        {
            writer.Write(metrics.DbKeysCached, c, label);
        }
    }

    private void WriteConnectedSlave(ReadOnlySpan<char> field, ReadOnlySpan<char> value)
    {
        // Redis 2.8+ writes ip=,port=,state=; older servers wrote ip,port,state positionally.
        var ip = Label(value, "ip");
        var port = Label(value, "port");
        var state = Label(value, "state");
        if (InfoText.TryGetPair(value, "offset", out var offsetText) && InfoText.TryParseValue(offsetText, out var offset))
        {
            writer.Write(metrics.ConnectedSlaveOffset, offset, ip, port, state);
        }
        else
        {
            Skip(field, "has no numeric offset");
        }

        if (InfoText.TryGetPair(value, "lag", out var lagText) && InfoText.TryParseValue(lagText, out var lag))
        {
            writer.Write(metrics.ConnectedSlaveLag, lag, ip, port, state);
        }
    }

    private void WriteSentinelMaster(ReadOnlySpan<char> value)
    {
        var name = Label(value, "name");
        var address = Label(value, "address");
        var status = Label(value, "status");
        writer.Write(metrics.SentinelMasterStatus, status == "ok" ? 1 : 0, name, address, status);
        if (InfoText.TryGetPair(value, "slaves", out var slaves) && InfoText.TryParseValue(slaves, out var s))
        {
            writer.Write(metrics.SentinelMasterSlaves, s, name, address);
        }

        if (InfoText.TryGetPair(value, "sentinels", out var sentinels) && InfoText.TryParseValue(sentinels, out var n))
        {
            writer.Write(metrics.SentinelMasterSentinels, n, name, address);
        }
    }

    /// <summary>The value of <paramref name="key"/> in a composite value as a label, empty when missing.</summary>
    private string Label(ReadOnlySpan<char> value, string key) => InfoText.TryGetPair(value, key, out var found) ? scratch.Labels.Get(found) : string.Empty;

    private void WriteInstance(ReadOnlySpan<char> info)
    {
        var values = scratch.Fields;
        if (values.Contains(info, "redis_version") || values.Contains(info, "role"))
        {
            var labels = scratch.InstanceLabels;
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = values.TryGetValue(info, InstanceInfoFields[i], out var text) ? scratch.Labels.Get(text) : string.Empty;
            }

            if (values.TryGetValue(info, "valkey_version", out var valkeyVersion))
            {
                // Valkey: redis_exporter adds the Valkey version and release stage.
                var stage = values.TryGetValue(info, "valkey_release_stage", out var stageText) ? scratch.Labels.Get(stageText) : string.Empty;
                writer.Write(metrics.InstanceInfoValkey, [.. labels, scratch.Labels.Get(valkeyVersion), stage]);
            }
            else
            {
                writer.Write(metrics.InstanceInfo, labels);
            }
        }

        if (values.TryGetValue(info, "uptime_in_seconds", out var uptimeText) && InfoText.TryParseValue(uptimeText, out var uptime))
        {
            writer.Write(metrics.StartTime, Math.Floor(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000d) - uptime);
        }

        if (values.TryGetValue(info, "role", out var role) && role is "slave" or "replica" && values.TryGetValue(info, "master_host", out var hostText))
        {
            var host = scratch.Labels.Get(hostText);
            var port = values.TryGetValue(info, "master_port", out var portText) ? scratch.Labels.Get(portText) : string.Empty;
            var readOnly = values.TryGetValue(info, "slave_read_only", out var readOnlyText) || values.TryGetValue(info, "replica_read_only", out readOnlyText)
                ? scratch.Labels.Get(readOnlyText)
                : string.Empty;
            writer.Write(metrics.SlaveInfo, host, port, readOnly);
            if (values.TryGetValue(info, "master_link_status", out var link))
            {
                writer.Write(metrics.MasterLinkUp, link is "up" ? 1 : 0, host, port);
            }

            WriteMaster(info, metrics.MasterLastIo, "master_last_io_seconds_ago", allowNegative: true, host, port);
            WriteMaster(info, metrics.MasterSyncInProgress, "master_sync_in_progress", allowNegative: true, host, port);
            WriteMaster(info, metrics.SlaveReplOffset, "slave_repl_offset", allowNegative: true, host, port);
            WriteMaster(info, metrics.MasterLinkDownSince, "master_link_down_since_seconds", allowNegative: false, host, port);
        }
    }

    private void WriteMaster(ReadOnlySpan<char> info, GaugeDefinition definition, string field, bool allowNegative, string host, string port)
    {
        if (scratch.Fields.TryGetValue(info, field, out var text) && InfoText.TryParseValue(text, out var number) && (allowNegative || number >= 0))
        {
            writer.Write(definition, number, host, port);
        }
    }
}

/// <summary>
/// An INFO field of <see cref="InfoFieldMap"/> with its conversion factor and a number for caching its family; a
/// converted field also in the plain map keeps that entry as <see cref="Plain"/>.
/// </summary>
internal sealed record MappedField(int Index, string Field, string Metric, bool Counter, double Scale, bool Converted = false, MappedField? Plain = null);

/// <summary><see cref="InfoFieldMap"/> as one table that is looked up by span.</summary>
internal static class MappedFields
{
    /// <summary>Every mapped field; a converted field's entry replaces its plain one.</summary>
    public static readonly FrozenDictionary<string, MappedField> All = Build(out Count);

    /// <summary>How many entries there are, plain ones replaced by converted ones included (the range of the indexes).</summary>
    public static readonly int Count;

    /// <summary><see cref="All"/> looked up by the characters of a field, without a string.</summary>
    public static readonly FrozenDictionary<string, MappedField>.AlternateLookup<ReadOnlySpan<char>> Lookup = All.GetAlternateLookup<ReadOnlySpan<char>>();

    private static FrozenDictionary<string, MappedField> Build(out int count)
    {
        var entries = new Dictionary<string, MappedField>(StringComparer.Ordinal);
        count = 0;
        foreach (var (field, (metric, counter)) in InfoFieldMap.Fields)
        {
            entries[field] = new MappedField(count++, field, metric, counter, 1);
        }

        foreach (var (field, (metric, scale)) in InfoFieldMap.Converted)
        {
            // Converted fields take precedence over the plain map in INFO and are gauges.
            entries[field] = new MappedField(count++, field, metric, false, scale, true, entries.GetValueOrDefault(field));
        }

        return entries.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

/// <summary>
/// What the reply writing of one collector keeps between scrapes so a steady scrape allocates little: label strings,
/// families of mapped fields, and tables cleared for each scrape. One scrape uses it at a time.
/// </summary>
internal sealed class ReplyScratch
{
    public LabelCache Labels { get; } = new();

    /// <summary>The fields of the INFO reply being read, first occurrence of each.</summary>
    public FieldTable Fields { get; } = new();

    /// <summary>Calls and microseconds per command from commandstats, for the latency families.</summary>
    public Dictionary<string, (double Calls, double Usec)> Commands { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the latency percentile lines are (field start, field and value length); they are written once commandstats are known.</summary>
    public List<(int Start, int FieldLength, int ValueLength)> Percentiles { get; } = [];

    public HashSet<int> Databases { get; } = [];

    public List<HistogramBucket> Buckets { get; } = [];

    public string[] InstanceLabels { get; } = new string[10];

    /// <summary>Families of mapped fields by <see cref="MappedField.Index"/>, filled as they are first written.</summary>
    public MetricDefinition?[] Definitions { get; } = new MetricDefinition?[MappedFields.Count];

    /// <summary>
    /// Empties what belongs to one scrape; keeps labels and families. Tables a huge reply grew are shrunk, so one
    /// hostile reply does not stay resident.
    /// </summary>
    public void Reset()
    {
        const int Keep = 4096;
        Fields.Clear();
        Commands.Clear();
        Percentiles.Clear();
        Databases.Clear();
        Buckets.Clear();
        Array.Clear(InstanceLabels);
        if (Commands.EnsureCapacity(0) > Keep)
        {
            Commands.TrimExcess();
        }

        if (Percentiles.Capacity > Keep)
        {
            Percentiles.Capacity = 0;
        }

        if (Databases.EnsureCapacity(0) > Keep)
        {
            Databases.TrimExcess();
        }

        if (Buckets.Capacity > Keep)
        {
            Buckets.Capacity = 0;
        }
    }
}

/// <summary>
/// Label strings by their characters, so the names a server repeats every scrape (commands, errors, databases) are
/// made once. Bounded: a server that sends ever new names cannot grow it beyond <see cref="MaxEntries"/> strings of
/// at most <see cref="MaxLength"/> characters; when full it starts over.
/// </summary>
internal sealed class LabelCache
{
    public const int MaxEntries = 2048;
    public const int MaxLength = 256;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public LabelCache() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _strings.Count;

    /// <summary>The string of <paramref name="text"/>, made at most once while it stays in the cache.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }

        if (_lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var made = text.ToString();
        if (text.Length <= MaxLength)
        {
            if (_strings.Count >= MaxEntries)
            {
                _strings.Clear();
            }

            _strings.Add(made);
        }

        return made;
    }

    /// <summary>As <see cref="Get(ReadOnlySpan{char})"/> for UTF-8 bytes, decoded as a reply's strings are (invalid bytes become U+FFFD).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Utf8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength + 1];
        var count = Utf8.GetChars(utf8, chars);
        return Get(chars[..count]);
    }
}

/// <summary>
/// The fields of one INFO reply by name, as offsets into its text, first occurrence kept: the duplicate check and the
/// lookups of instance fields without a string per field. Open addressing; reused across scrapes.
/// </summary>
internal sealed class FieldTable
{
    private Entry[] _entries = new Entry[256];
    private int[] _slots = new int[512];
    private int _count;

    public int Count => _count;

    public void Clear()
    {
        if (_entries.Length > 4096)
        {
            _entries = new Entry[256];
            _slots = new int[512];
        }
        else if (_count > 0)
        {
            Array.Clear(_slots);
        }

        _count = 0;
    }

    /// <summary>Adds the field at <paramref name="fieldStart"/> of <paramref name="text"/> unless a field of that name is already in.</summary>
    public bool TryAdd(ReadOnlySpan<char> text, int fieldStart, int fieldLength, int valueLength)
    {
        var field = text.Slice(fieldStart, fieldLength);
        var hash = string.GetHashCode(field, StringComparison.Ordinal);
        if (Find(text, field, hash) >= 0)
        {
            return false;
        }

        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        if ((_count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        _entries[_count] = new Entry(fieldStart, fieldLength, valueLength, hash);
        Place(_count);
        _count++;
        return true;
    }

    public bool Contains(ReadOnlySpan<char> text, ReadOnlySpan<char> field) => Find(text, field, string.GetHashCode(field, StringComparison.Ordinal)) >= 0;

    public bool TryGetValue(ReadOnlySpan<char> text, ReadOnlySpan<char> field, out ReadOnlySpan<char> value)
    {
        var index = Find(text, field, string.GetHashCode(field, StringComparison.Ordinal));
        if (index < 0)
        {
            value = default;
            return false;
        }

        var entry = _entries[index];
        value = text.Slice(entry.FieldStart + entry.FieldLength + 1, entry.ValueLength);
        return true;
    }

    private int Find(ReadOnlySpan<char> text, ReadOnlySpan<char> field, int hash)
    {
        var mask = _slots.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var index = _slots[slot] - 1;
            if (index < 0)
            {
                return -1;
            }

            var entry = _entries[index];
            if (entry.Hash == hash && text.Slice(entry.FieldStart, entry.FieldLength).SequenceEqual(field))
            {
                return index;
            }
        }
    }

    private void Place(int index)
    {
        var mask = _slots.Length - 1;
        var slot = _entries[index].Hash & mask;
        while (_slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _slots[slot] = index + 1;
    }

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            Place(i);
        }
    }

    private readonly record struct Entry(int FieldStart, int FieldLength, int ValueLength, int Hash);
}
