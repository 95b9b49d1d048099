using System.Text;
using System.Text.Json;
using Exporters.Redis.Protocol;

namespace Exporters.Redis;

/// <summary>Where and how to connect for one scrape.</summary>
internal sealed record ResolvedTarget(RedisEndpoint Endpoint, string? User, string? Password, TlsSettings? Tls)
{
    /// <summary>Identifies the connection settings, so a kept connection is only reused for the same ones.</summary>
    public string ConnectionKey => $"{Endpoint.Display}\n{User}\n{Password?.GetHashCode(StringComparison.Ordinal)}\n{Tls}";

    /// <summary>The address only: the password must never reach a log line through this record.</summary>
    public override string ToString() => Endpoint.Display;
}

/// <summary>
/// Decides which credentials go to which server. The instance's own user, password and client certificate go only
/// to its configured address, or to a <c>/probe</c> target when <c>probe_use_instance_credentials</c> says so; a probe
/// target otherwise gets only what its <c>probe_targets</c> entry, its own URI or the password-file map give it.
/// </summary>
internal sealed class TargetResolver(RedisOptions options, RedisEndpoint? configured)
{
    public bool TryResolve(string? target, bool isProbe, out ResolvedTarget resolved, out string error)
    {
        resolved = null!;
        RedisEndpoint endpoint;
        if (!isProbe || string.IsNullOrEmpty(target))
        {
            if (configured is null)
            {
                error = "no address configured; set address (or --redis.addr)";
                return false;
            }

            endpoint = configured;
            isProbe = false;
        }
        else if (!RedisEndpoint.TryParse(target, out endpoint, out error))
        {
            error = "probe target " + error;
            return false;
        }

        error = string.Empty;
        var sameAsConfigured = configured is not null && endpoint.Display == configured.Display;
        if (!isProbe || sameAsConfigured || options.ProbeUseInstanceCredentials)
        {
            resolved = new ResolvedTarget(
                endpoint,
                endpoint.User ?? Empty(options.User),
                endpoint.Password ?? Empty(options.Password) ?? PasswordFromFile(options.PasswordFile, endpoint),
                endpoint.UseTls ? Tls(options.Tls, includeClientCertificate: true) : null);
            return true;
        }

        var entry = options.ProbeTargets.FirstOrDefault(t =>
            RedisEndpoint.TryParse(t.Address, out var candidate, out _) && candidate.Display == endpoint.Display);
        if (entry is not null)
        {
            resolved = new ResolvedTarget(
                endpoint,
                endpoint.User ?? Empty(entry.User),
                endpoint.Password ?? Empty(entry.Password) ?? PasswordFromFile(entry.PasswordFile, endpoint),
                endpoint.UseTls ? Tls(entry.Tls, includeClientCertificate: true) : null);
            return true;
        }

        // An unlisted probe target: no instance credential, only trust settings (which hold no secret) and the
        // password-file map, whose entries are per address by construction.
        resolved = new ResolvedTarget(
            endpoint,
            endpoint.User,
            endpoint.Password ?? PasswordFromMap(options.PasswordFile, endpoint),
            endpoint.UseTls ? new TlsSettings(Empty(options.Tls.CaFile), null, null, null, options.Tls.InsecureSkipVerify) : null);
        return true;
    }

    /// <summary>
    /// The password in <paramref name="file"/>: its whole content, or, when it holds a JSON object, the entry for the
    /// endpoint (redis_exporter's password-file format).
    /// </summary>
    public static string? PasswordFromFile(string? file, RedisEndpoint endpoint)
    {
        var content = Exporters.Abstractions.Secrets.Resolve(null, Empty(file));
        if (content is null)
        {
            return null;
        }

        return content.TrimStart().StartsWith('{') ? LookUp(content, endpoint) : content;
    }

    private static string? PasswordFromMap(string? file, RedisEndpoint endpoint)
    {
        var content = Exporters.Abstractions.Secrets.Resolve(null, Empty(file));
        return content is not null && content.TrimStart().StartsWith('{') ? LookUp(content, endpoint) : null;
    }

    private static string? LookUp(string json, RedisEndpoint endpoint)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString();
                if (!reader.Read())
                {
                    return null;
                }

                if (reader.TokenType == JsonTokenType.String && RedisEndpoint.TryParse(key, out var candidate, out _) && candidate.Display == endpoint.Display)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            throw new IOException("the password file holds invalid JSON; write either the password alone or a JSON object of address to password");
        }

        return null;
    }

    private static TlsSettings Tls(RedisTlsOptions tls, bool includeClientCertificate) => new(
        Empty(tls.CaFile),
        includeClientCertificate ? Empty(tls.CertFile) : null,
        includeClientCertificate ? Empty(tls.KeyFile) : null,
        Empty(tls.ServerName),
        tls.InsecureSkipVerify);

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
