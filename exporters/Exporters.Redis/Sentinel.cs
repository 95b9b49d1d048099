using System.Globalization;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;

namespace Exporters.Redis;

/// <summary>
/// The Sentinel families beyond INFO: per monitored master its settings and config epoch (<c>SENTINEL MASTERS</c>),
/// whether a failover could be authorised (<c>SENTINEL CKQUORUM</c>), the Sentinels and replicas that are ok
/// (<c>SENTINEL SENTINELS</c>, <c>SENTINEL REPLICAS</c>), optionally its peers and Sentinel's own settings. Two round
/// trips: the masters, then every master's details at once. Series grow with the masters a Sentinel watches
/// (and with peer info, with their Sentinels), never with traffic.
/// </summary>
internal sealed class Sentinel(RedisOptions options, RedisMetrics metrics)
{
    public async Task RunAsync(RedisConnection connection, MetricWriter writer, CancellationToken token)
    {
        List<IReadOnlyList<string>> first = [(string[])["SENTINEL", "MASTERS"]];
        if (options.IncludeConfigMetrics)
        {
            first.Add((string[])["SENTINEL", "CONFIG", "GET", "*"]);
        }

        var replies = await connection.ExecuteAsync(first, token);
        if (options.IncludeConfigMetrics && !replies[1].IsError)
        {
            foreach (var (key, value) in replies[1].Pairs())
            {
                var text = value.AsString() ?? string.Empty;
                writer.Write(metrics.SentinelConfigKeyValue, 1, key, text);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    writer.Write(metrics.SentinelConfigValue, number, key);
                }
            }
        }

        if (replies[0].IsError)
        {
            throw new RedisServerException("SENTINEL MASTERS refused: " + replies[0].Text);
        }

        var masters = new List<(string Name, string Address, Dictionary<string, string> Fields)>();
        foreach (var master in replies[0].Items)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in master.Pairs())
            {
                fields.TryAdd(key, value.AsString() ?? string.Empty);
            }

            if (fields.TryGetValue("name", out var name) && fields.TryGetValue("ip", out var ip) && fields.TryGetValue("port", out var port))
            {
                masters.Add((name, ip + ":" + port, fields));
            }
        }

        if (masters.Count == 0)
        {
            return;
        }

        var details = new List<IReadOnlyList<string>>();
        foreach (var (name, _, _) in masters)
        {
            details.Add((string[])["SENTINEL", "CKQUORUM", name]);
            details.Add((string[])["SENTINEL", "SENTINELS", name]);

            // SLAVES rather than REPLICAS: every Sentinel version knows it.
            details.Add((string[])["SENTINEL", "SLAVES", name]);
        }

        var answers = await connection.ExecuteAsync(details, token);
        for (var m = 0; m < masters.Count; m++)
        {
            var (name, address, fields) = masters[m];
            var ckquorum = answers[3 * m];
            writer.Write(metrics.SentinelCkquorumStatus, ckquorum.IsError ? 0 : 1, name, (ckquorum.IsError ? ckquorum.Text : ckquorum.AsString()) ?? string.Empty);
            Setting(metrics.SentinelMasterCkquorum, "quorum", 1);
            Setting(metrics.SentinelFailoverTimeout, "failover-timeout", 1);
            Setting(metrics.SentinelParallelSyncs, "parallel-syncs", 1);
            Setting(metrics.SentinelDownAfter, "down-after-milliseconds", 1);
            Setting(metrics.SentinelConfigEpoch, "config-epoch", 1);
            Setting(metrics.SentinelLastOkPing, "last-ok-ping-reply", 0.001);

            // This Sentinel counts itself: it answered, so it sees the master.
            var okSentinels = 1;
            foreach (var peer in answers[(3 * m) + 1].IsError ? [] : answers[(3 * m) + 1].Items)
            {
                var peerFields = Fields(peer);
                if (options.IncludeSentinelPeerInfo)
                {
                    writer.Write(metrics.SentinelPeerInfo, 1, name, address, peerFields.GetValueOrDefault("name", string.Empty), peerFields.GetValueOrDefault("ip", string.Empty),
                        peerFields.GetValueOrDefault("port", string.Empty), peerFields.GetValueOrDefault("runid", string.Empty), peerFields.GetValueOrDefault("flags", string.Empty));
                }

                if (peerFields.TryGetValue("flags", out var flags) && IsOk(flags))
                {
                    okSentinels++;
                }
            }

            writer.Write(metrics.SentinelOkSentinels, okSentinels, name, address);
            if (!answers[(3 * m) + 2].IsError)
            {
                var okReplicas = answers[(3 * m) + 2].Items.Count(r => Fields(r).TryGetValue("flags", out var flags) && IsOk(flags));
                writer.Write(metrics.SentinelOkSlaves, okReplicas, name, address);
            }

            void Setting(GaugeDefinition definition, string key, double scale)
            {
                if (fields.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    writer.Write(definition, value * scale, name, address);
                }
            }
        }
    }

    private static bool IsOk(string flags) => !flags.Contains("s_down", StringComparison.Ordinal) && !flags.Contains("o_down", StringComparison.Ordinal);

    private static Dictionary<string, string> Fields(RespValue reply)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in reply.Pairs())
        {
            fields.TryAdd(key, value.AsString() ?? string.Empty);
        }

        return fields;
    }
}
