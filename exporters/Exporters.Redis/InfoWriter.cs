using System.Globalization;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging;

namespace Exporters.Redis;

/// <summary>Turns the text and array replies of one scrape into families; a field it cannot read is skipped and logged.</summary>
internal sealed class InfoWriter(RedisMetrics metrics, MetricWriter writer, TimeProvider time, ILogger logger)
{
    private static readonly string[] InstanceInfoFields = ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid"];
    private static readonly (string Key, double Quantile)[] Percentiles = [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)];

    private readonly List<string> _skipped = [];
    private readonly Dictionary<string, (double Calls, double Usec)> _commands = new(StringComparer.Ordinal);

    /// <summary>Fields skipped in this scrape, with the reason.</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    public void WriteInfo(string info, int databases)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var percentiles = new List<(string Command, string Value)>();
        var seenDatabases = new HashSet<int>();
        foreach (var (section, field, value) in InfoText.Fields(info))
        {
            if (!values.TryAdd(field, value))
            {
                Skip(field, "appears twice; the first value is kept");
                continue;
            }

            if (InfoFieldMap.Converted.TryGetValue(field, out var converted))
            {
                if (TryNumber(field, value, out var number))
                {
                    Write(metrics.Field(converted.Metric, false, field), number * converted.Scale);
                }

                continue;
            }

            if (InfoFieldMap.Fields.TryGetValue(field, out var mapped))
            {
                if (TryNumber(field, value, out var number))
                {
                    Write(metrics.Field(mapped.Metric, mapped.Counter, field), number);
                }

                continue;
            }

            if (field.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                WriteCommandStat(field["cmdstat_".Length..], value);
            }
            else if (field.StartsWith("errorstat_", StringComparison.Ordinal))
            {
                var pairs = InfoText.Pairs(value);
                if (pairs.TryGetValue("count", out var count) && TryNumber(field, count, out var n))
                {
                    writer.Write(metrics.ErrorsTotal, n, field["errorstat_".Length..]);
                }
            }
            else if (field.StartsWith("latency_percentiles_usec_", StringComparison.Ordinal))
            {
                percentiles.Add((field["latency_percentiles_usec_".Length..], value));
            }
            else if (section == "Keyspace" && field.StartsWith("db", StringComparison.Ordinal) && int.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                WriteKeyspace(field, value);
                seenDatabases.Add(db);
            }
            else if (field.StartsWith("slave", StringComparison.Ordinal) && field.Length > 5 && char.IsAsciiDigit(field[5]) && value.Contains('=', StringComparison.Ordinal))
            {
                WriteConnectedSlave(field, value);
            }
            else if (field.StartsWith("master", StringComparison.Ordinal) && field.Length > 6 && char.IsAsciiDigit(field[6]) && value.Contains("name=", StringComparison.Ordinal))
            {
                WriteSentinelMaster(value);
            }
            else if (field.StartsWith("cluster_", StringComparison.Ordinal) || field.StartsWith("sentinel_", StringComparison.Ordinal))
            {
                if (TryNumber(field, value, out var number))
                {
                    Write(metrics.Field(field, false, field), number);
                }
            }
        }

        for (var db = 0; db < databases; db++)
        {
            if (!seenDatabases.Contains(db))
            {
                var label = "db" + db.ToString(CultureInfo.InvariantCulture);
                writer.Write(metrics.DbKeys, 0, label);
                writer.Write(metrics.DbKeysExpiring, 0, label);
            }
        }

        foreach (var (command, value) in percentiles)
        {
            WritePercentiles(command, value);
        }

        WriteInstance(values);
    }

    public void WriteLatencyHistogram(RespValue? reply)
    {
        if (reply is null || reply.IsError || !reply.IsAggregate)
        {
            return;
        }

        var buckets = new List<HistogramBucket>(32);
        foreach (var (command, details) in reply.Pairs())
        {
            double calls = 0;
            RespValue? histogram = null;
            foreach (var (key, value) in details.Pairs())
            {
                if (key == "calls")
                {
                    value.TryGetNumber(out calls);
                }
                else if (key == "histogram_usec")
                {
                    histogram = value;
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

            var sum = _commands.TryGetValue(command, out var stat) ? stat.Usec : 0;
            writer.Write(metrics.LatencyHistogram, buckets.ToArray(), sum, calls, command);
        }
    }

    public void WriteClusterInfo(string text)
    {
        foreach (var (_, field, value) in InfoText.Fields(text))
        {
            string name;
            var counter = false;
            if (InfoFieldMap.Fields.TryGetValue(field, out var mapped))
            {
                (name, counter) = mapped;
            }
            else if (field.StartsWith("cluster_", StringComparison.Ordinal))
            {
                name = field;
            }
            else
            {
                continue;
            }

            if (TryNumber(field, value, out var number))
            {
                Write(metrics.Field(name, counter, field), number);
            }
        }
    }

    public void WriteSentinelMasters(RespValue reply)
    {
        foreach (var master in reply.Items)
        {
            var fields = master.Pairs().ToDictionary(p => p.Key, p => p.Value.AsString() ?? string.Empty, StringComparer.Ordinal);
            if (!fields.TryGetValue("name", out var name))
            {
                continue;
            }

            var address = $"{fields.GetValueOrDefault("ip")}:{fields.GetValueOrDefault("port")}";
            if (double.TryParse(fields.GetValueOrDefault("quorum"), NumberStyles.Float, CultureInfo.InvariantCulture, out var quorum))
            {
                writer.Write(metrics.SentinelMasterQuorum, quorum, name, address);
            }
        }
    }

    public void WriteClientList(string text)
    {
        const int MaxGroups = 1000;
        var groups = new Dictionary<(string Name, string Flags), int>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pairs = InfoText.Pairs(line, ' ');
            var key = (pairs.GetValueOrDefault("name") ?? string.Empty, pairs.GetValueOrDefault("flags") ?? string.Empty);
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

        foreach (var ((name, flags), count) in groups)
        {
            writer.Write(metrics.ClientConnections, count, name, flags);
        }
    }

    public void LogSkipped()
    {
        if (_skipped.Count > 0)
        {
            logger.LogDebug("skipped {Count} redis fields: {Fields}", _skipped.Count, string.Join("; ", _skipped.Take(20)));
        }
    }

    private static bool TryParseValue(string value, out double number)
    {
        switch (value)
        {
            case "ok" or "up" or "true" or "yes":
                number = 1;
                return true;
            case "fail" or "err" or "down" or "false" or "no":
                number = 0;
                return true;
            default:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
    }

    private bool TryNumber(string field, string value, out double number)
    {
        if (TryParseValue(value, out number))
        {
            return true;
        }

        Skip(field, "value is not a number");
        return false;
    }

    private void Skip(string field, string reason)
    {
        if (_skipped.Count < 100)
        {
            _skipped.Add($"{field}: {reason}");
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

    private void WriteCommandStat(string command, string value)
    {
        var pairs = InfoText.Pairs(value);
        if (!pairs.TryGetValue("calls", out var callsText) || !pairs.TryGetValue("usec", out var usecText)
            || !TryParseValue(callsText, out var calls) || !TryParseValue(usecText, out var usec))
        {
            Skip("cmdstat_" + command, "has no numeric calls and usec");
            return;
        }

        _commands[command] = (calls, usec);
        writer.Write(metrics.CommandsTotal, calls, command);
        writer.Write(metrics.CommandsDuration, usec / 1e6, command);
        if (pairs.TryGetValue("rejected_calls", out var rejected) && TryParseValue(rejected, out var r))
        {
            writer.Write(metrics.CommandsRejected, r, command);
        }

        if (pairs.TryGetValue("failed_calls", out var failed) && TryParseValue(failed, out var f))
        {
            writer.Write(metrics.CommandsFailed, f, command);
        }
    }

    private void WritePercentiles(string command, string value)
    {
        var pairs = InfoText.Pairs(value);
        var quantiles = new List<SummaryQuantile>(Percentiles.Length);
        foreach (var (key, quantile) in Percentiles)
        {
            if (pairs.TryGetValue(key, out var text) && TryParseValue(text, out var usec))
            {
                quantiles.Add(new SummaryQuantile(quantile, usec));
            }
        }

        var (calls, sum) = _commands.GetValueOrDefault(command);
        writer.Write(metrics.LatencyPercentiles, quantiles.ToArray(), sum, calls, command);
    }

    private void WriteKeyspace(string db, string value)
    {
        var pairs = InfoText.Pairs(value);
        if (pairs.TryGetValue("keys", out var keys) && TryParseValue(keys, out var k))
        {
            writer.Write(metrics.DbKeys, k, db);
        }
        else
        {
            Skip(db, "has no numeric keys");
        }

        if (pairs.TryGetValue("expires", out var expires) && TryParseValue(expires, out var e))
        {
            writer.Write(metrics.DbKeysExpiring, e, db);
        }

        if (pairs.TryGetValue("avg_ttl", out var ttl) && TryParseValue(ttl, out var t))
        {
            writer.Write(metrics.DbAvgTtl, t / 1000, db);
        }
    }

    private void WriteConnectedSlave(string field, string value)
    {
        var pairs = InfoText.Pairs(value);
        // Redis 2.8+ writes ip=,port=,state=; older servers wrote ip,port,state positionally.
        var ip = pairs.GetValueOrDefault("ip") ?? string.Empty;
        var port = pairs.GetValueOrDefault("port") ?? string.Empty;
        var state = pairs.GetValueOrDefault("state") ?? string.Empty;
        if (pairs.TryGetValue("offset", out var offsetText) && TryParseValue(offsetText, out var offset))
        {
            writer.Write(metrics.ConnectedSlaveOffset, offset, ip, port, state);
        }
        else
        {
            Skip(field, "has no numeric offset");
        }

        if (pairs.TryGetValue("lag", out var lagText) && TryParseValue(lagText, out var lag))
        {
            writer.Write(metrics.ConnectedSlaveLag, lag, ip, port, state);
        }
    }

    private void WriteSentinelMaster(string value)
    {
        var pairs = InfoText.Pairs(value);
        var name = pairs.GetValueOrDefault("name") ?? string.Empty;
        var address = pairs.GetValueOrDefault("address") ?? string.Empty;
        var status = pairs.GetValueOrDefault("status") ?? string.Empty;
        writer.Write(metrics.SentinelMasterStatus, status == "ok" ? 1 : 0, name, address, status);
        if (pairs.TryGetValue("slaves", out var slaves) && TryParseValue(slaves, out var s))
        {
            writer.Write(metrics.SentinelMasterSlaves, s, name, address);
        }

        if (pairs.TryGetValue("sentinels", out var sentinels) && TryParseValue(sentinels, out var n))
        {
            writer.Write(metrics.SentinelMasterSentinels, n, name, address);
        }
    }

    private void WriteInstance(Dictionary<string, string> values)
    {
        if (values.ContainsKey("redis_version") || values.ContainsKey("role"))
        {
            var labels = new string[InstanceInfoFields.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = values.GetValueOrDefault(InstanceInfoFields[i]) ?? string.Empty;
            }

            writer.Write(metrics.InstanceInfo, labels);
        }

        if (values.TryGetValue("uptime_in_seconds", out var uptimeText) && TryParseValue(uptimeText, out var uptime))
        {
            writer.Write(metrics.StartTime, Math.Floor(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000d) - uptime);
        }

        if (values.GetValueOrDefault("role") is "slave" or "replica" && values.TryGetValue("master_host", out var host))
        {
            var port = values.GetValueOrDefault("master_port") ?? string.Empty;
            var readOnly = values.GetValueOrDefault("slave_read_only") ?? values.GetValueOrDefault("replica_read_only") ?? string.Empty;
            writer.Write(metrics.SlaveInfo, host, port, readOnly);
            if (values.TryGetValue("master_link_status", out var link))
            {
                writer.Write(metrics.MasterLinkUp, link == "up" ? 1 : 0, host, port);
            }

            WriteMaster(metrics.MasterLastIo, "master_last_io_seconds_ago", allowNegative: true);
            WriteMaster(metrics.MasterSyncInProgress, "master_sync_in_progress", allowNegative: true);
            WriteMaster(metrics.SlaveReplOffset, "slave_repl_offset", allowNegative: true);
            WriteMaster(metrics.MasterLinkDownSince, "master_link_down_since_seconds", allowNegative: false);

            void WriteMaster(GaugeDefinition definition, string field, bool allowNegative)
            {
                if (values.TryGetValue(field, out var text) && TryParseValue(text, out var number) && (allowNegative || number >= 0))
                {
                    writer.Write(definition, number, host, port);
                }
            }
        }
    }
}
