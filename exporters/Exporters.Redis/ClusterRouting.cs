using System.Globalization;
using Exporters.Redis.Protocol;

namespace Exporters.Redis;

/// <summary>Something that runs commands: one connection, or a cluster-aware router over several.</summary>
internal interface ICommandChannel
{
    /// <summary>Runs the commands in one round trip (more when a cluster redirects some), replies in order.</summary>
    Task<RespValue[]> ExecuteAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken token);
}

/// <summary>A node of a Redis Cluster, as <c>CLUSTER NODES</c> lists it.</summary>
/// <param name="Address">The node's <c>host:port</c> (its IP, as announced).</param>
/// <param name="Hostname">The host name it announces, or null.</param>
/// <param name="IsPrimary">Whether it serves slots (a master).</param>
/// <param name="IsSelf">Whether it is the node that answered.</param>
/// <param name="IsFailing">Whether the cluster marks it failed or without address.</param>
internal sealed record ClusterNode(string Address, string? Hostname, bool IsPrimary, bool IsSelf, bool IsFailing)
{
    /// <summary>Parses a <c>CLUSTER NODES</c> reply.</summary>
    public static List<ClusterNode> Parse(string text)
    {
        var nodes = new List<ClusterNode>();
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 8)
            {
                continue;
            }

            var addressPart = parts[1];
            string? hostname = null;
            var comma = addressPart.IndexOf(',', StringComparison.Ordinal);
            if (comma >= 0)
            {
                hostname = addressPart[(comma + 1)..] is { Length: > 0 } h ? h : null;
                addressPart = addressPart[..comma];
            }

            var at = addressPart.IndexOf('@', StringComparison.Ordinal);
            var address = at >= 0 ? addressPart[..at] : addressPart;
            var flags = parts[2].Split(',');
            if (address.StartsWith(':'))
            {
                // A node that does not know its own IP yet.
                continue;
            }

            nodes.Add(new ClusterNode(address, hostname, flags.Contains("master"), flags.Contains("myself"), flags.Contains("fail") || flags.Contains("noaddr") || flags.Contains("handshake")));
        }

        return nodes;
    }
}

/// <summary>
/// Runs key commands across a Redis Cluster: commands go to one node, and a reply of <c>MOVED slot host:port</c> or
/// <c>ASK slot host:port</c> sends that command again to the named node (after <c>ASKING</c> for ASK), at most three
/// hops. Connections to other nodes are opened with the same credentials and TLS settings on first use and closed
/// with the router; every one of them works within the scrape's deadline.
/// </summary>
internal sealed class ClusterRouter : IAsyncDisposable
{
    private const int MaxRedirects = 3;

    private readonly RedisConnection _seed;
    private readonly ResolvedTarget _target;
    private readonly long _maxReplyBytes;
    private readonly Dictionary<string, RedisConnection> _nodes = new(StringComparer.Ordinal);

    public ClusterRouter(RedisConnection seed, ResolvedTarget target, long maxReplyBytes)
    {
        _seed = seed;
        _target = target;
        _maxReplyBytes = maxReplyBytes;
    }

    /// <summary>The nodes of the cluster, from the seed node.</summary>
    public async Task<List<ClusterNode>> NodesAsync(CancellationToken token)
    {
        var reply = (await _seed.ExecuteAsync([(string[])["CLUSTER", "NODES"]], token))[0];
        if (reply.IsError || reply.AsString() is not { } text)
        {
            throw new RedisServerException("CLUSTER NODES refused: " + reply.Text);
        }

        return ClusterNode.Parse(text);
    }

    /// <summary>A channel to one node (the seed for itself) that follows redirects.</summary>
    public ICommandChannel Channel(ClusterNode? node) => new RoutedChannel(this, node is null || node.IsSelf ? null : node.Address);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _nodes.Values)
        {
            await connection.DisposeAsync();
        }

        _nodes.Clear();
    }

    private async Task<RedisConnection> NodeAsync(string? address, CancellationToken token)
    {
        if (address is null)
        {
            return _seed;
        }

        if (_nodes.TryGetValue(address, out var open) && !open.IsBroken)
        {
            return open;
        }

        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new RedisServerException($"cluster node address '{address}' is not host:port");
        }

        var endpoint = _target.Endpoint with { Host = address[..colon].Trim('[', ']'), Port = port, SocketPath = null, Database = null };
        var connection = await RedisConnection.ConnectAsync(endpoint, _target.Tls, _maxReplyBytes, token);
        _nodes[address] = connection;
        if (_target.Password is { } password)
        {
            var auth = (await connection.ExecuteAsync([_target.User is { } user ? ["AUTH", user, password] : ["AUTH", password]], token))[0];
            if (auth.IsError)
            {
                throw new RedisServerException($"AUTH on cluster node {address} failed: {auth.Text}");
            }
        }

        return connection;
    }

    private static bool TryRedirect(RespValue reply, out bool ask, out string address)
    {
        ask = false;
        address = string.Empty;
        if (!reply.IsError || reply.Text is not { } text)
        {
            return false;
        }

        var moved = text.StartsWith("MOVED ", StringComparison.Ordinal);
        ask = text.StartsWith("ASK ", StringComparison.Ordinal);
        if (!moved && !ask)
        {
            return false;
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            return false;
        }

        address = parts[2];
        return true;
    }

    private sealed class RoutedChannel(ClusterRouter router, string? address) : ICommandChannel
    {
        public async Task<RespValue[]> ExecuteAsync(IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken token)
        {
            var connection = await router.NodeAsync(address, token);
            var replies = await connection.ExecuteAsync(commands, token);
            for (var i = 0; i < replies.Length; i++)
            {
                for (var hop = 0; hop < MaxRedirects && TryRedirect(replies[i], out var ask, out var target); hop++)
                {
                    var node = await router.NodeAsync(target, token);
                    if (ask)
                    {
                        var answers = await node.ExecuteAsync([(string[])["ASKING"], commands[i]], token);
                        replies[i] = answers[1];
                    }
                    else
                    {
                        replies[i] = (await node.ExecuteAsync([commands[i]], token))[0];
                    }
                }
            }

            return replies;
        }
    }
}
