using System.Globalization;

namespace Exporters.TestSupport;

/// <summary>
/// A real Redis Cluster of three primaries on 127.0.0.1, made with <c>redis-cli --cluster create</c>. Each node's bus
/// port is a free port of its own (<c>--cluster-port</c>), so a node port above 55535 leaves no room problem.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(List<RedisServer> nodes)
    {
        Nodes = nodes;
    }

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>Starts the nodes, joins them and waits until every node reports cluster_state:ok.</summary>
    /// <param name="hostnames">Whether each node announces a host name (node-0.cluster.test, ...).</param>
    public static async Task<RedisCluster> StartAsync(bool hostnames = false)
    {
        var nodes = new List<RedisServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                List<string> extra = ["--cluster-enabled", "yes", "--cluster-port", Tools.FreePort().ToString(CultureInfo.InvariantCulture), "--cluster-node-timeout", "5000"];
                if (hostnames)
                {
                    extra.AddRange(["--cluster-announce-hostname", $"node-{i.ToString(CultureInfo.InvariantCulture)}.cluster.test"]);
                }

                nodes.Add(await RedisServer.StartAsync([.. extra]));
            }

            var cluster = new RedisCluster(nodes);
            var create = ExternalProcess.Start("redis-cli", ["--cluster", "create", .. nodes.Select(n => $"127.0.0.1:{n.Port.ToString(CultureInfo.InvariantCulture)}"), "--cluster-replicas", "0", "--cluster-yes"]);
            await using (create)
            {
                if (!await create.WaitForExitAsync(TimeSpan.FromSeconds(60)) || create.ExitCode != 0)
                {
                    throw new InvalidOperationException("redis-cli --cluster create failed: " + create.Output);
                }
            }

            for (var attempt = 0; ; attempt++)
            {
                var states = await Task.WhenAll(nodes.Select(n => n.CliAsync("CLUSTER", "INFO")));
                if (states.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)) && states.All(s => s.Contains("cluster_known_nodes:3", StringComparison.Ordinal)))
                {
                    break;
                }

                if (attempt > 200)
                {
                    throw new TimeoutException("the cluster did not become ok: " + string.Join(" | ", states));
                }

                await Task.Delay(100);
            }

            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Runs <c>redis-cli -c</c> against the first node, following redirects.</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var process = ExternalProcess.Start("redis-cli", ["-c", "-p", Nodes[0].Port.ToString(CultureInfo.InvariantCulture), .. arguments]);
        await using (process)
        {
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("redis-cli did not finish");
            }

            return process.Output.Trim();
        }
    }

    /// <summary>The node (index) that holds <paramref name="key"/>.</summary>
    public async Task<int> NodeOfAsync(string key)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            if ((await Nodes[i].CliAsync("EXISTS", key)) == "1")
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
