using System.Globalization;

namespace Exporters.Redis;

/// <summary>A parsed Redis address: TCP host and port, or a Unix socket path, with what the address itself carries.</summary>
internal sealed record RedisEndpoint
{
    public const int DefaultPort = 6379;

    public string? Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    public string? SocketPath { get; init; }

    public bool UseTls { get; init; }

    /// <summary>User from the address' user-info part.</summary>
    public string? User { get; init; }

    /// <summary>Password from the address' user-info part.</summary>
    public string? Password { get; init; }

    /// <summary>The logical database in the address path (<c>/2</c>), or null.</summary>
    public int? Database { get; init; }

    /// <summary>The address without credentials, for logs and matching.</summary>
    public string Display => SocketPath is not null
        ? "unix://" + SocketPath
        : $"{(UseTls ? "rediss" : "redis")}://{(Host!.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses <c>redis://</c>, <c>rediss://</c>, <c>valkey://</c>, <c>valkeys://</c>, <c>unix://</c> URIs, bare
    /// <c>host:port</c> or <c>host</c>, and bare socket paths. The error never repeats credentials.
    /// </summary>
    public static bool TryParse(string? text, out RedisEndpoint endpoint, out string error)
    {
        endpoint = new RedisEndpoint();
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; write it like redis://host:6379, rediss://host:6380, unix:///run/redis.sock or host:6379";
            return false;
        }

        text = text.Trim();
        if (text.StartsWith('/'))
        {
            endpoint = new RedisEndpoint { SocketPath = text };
            return true;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        string scheme;
        if (schemeEnd < 0)
        {
            scheme = "redis";
            text = "redis://" + text;
        }
        else
        {
            scheme = text[..schemeEnd].ToLowerInvariant();
        }

        if (scheme == "unix")
        {
            var rest = text[(schemeEnd + 3)..];
            var query = rest.IndexOf('?', StringComparison.Ordinal);
            var path = query < 0 ? rest : rest[..query];
            var at = path.LastIndexOf('@');
            string? user = null, password = null;
            if (at >= 0)
            {
                (user, password) = SplitUserInfo(path[..at]);
                path = path[(at + 1)..];
            }

            if (!path.StartsWith('/'))
            {
                error = "is a unix:// address without an absolute socket path; write it like unix:///run/redis/redis.sock";
                return false;
            }

            endpoint = new RedisEndpoint { SocketPath = Uri.UnescapeDataString(path), User = user, Password = password };
            return true;
        }

        bool tls;
        switch (scheme)
        {
            case "redis" or "valkey":
                tls = false;
                break;
            case "rediss" or "valkeys":
                tls = true;
                break;
            default:
                error = $"has unsupported scheme '{scheme}'; use redis, rediss, valkey, valkeys or unix";
                return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{Exporters.Abstractions.Secrets.RedactTarget(text)}' is not a valid address; write it like redis://host:6379 or host:6379";
            return false;
        }

        var (uriUser, uriPassword) = string.IsNullOrEmpty(uri.UserInfo) ? (null, null) : SplitUserInfo(uri.UserInfo);
        int? database = null;
        var dbText = uri.AbsolutePath.Trim('/');
        if (dbText.Length > 0)
        {
            if (!int.TryParse(dbText, NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            {
                error = $"has path '/{dbText}', which is not a database number";
                return false;
            }

            database = db;
        }

        endpoint = new RedisEndpoint
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port,
            UseTls = tls,
            User = uriUser,
            Password = uriPassword,
            Database = database,
        };
        return true;
    }

    private static (string? User, string? Password) SplitUserInfo(string userInfo)
    {
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            // A lone user-info part is a user name, as in redis_exporter; a password alone is written ":password".
            return (NullIfEmpty(Uri.UnescapeDataString(userInfo)), null);
        }

        return (NullIfEmpty(Uri.UnescapeDataString(userInfo[..colon])), NullIfEmpty(Uri.UnescapeDataString(userInfo[(colon + 1)..])));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
