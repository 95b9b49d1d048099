using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Exporters.Hosting.Security;

/// <summary>
/// Checks basic-auth credentials against the bcrypt hashes of <c>basic_auth_users</c>. A name that is not configured
/// is checked against a dummy hash of the same cost, so the time taken does not reveal which users exist. Successful
/// checks are remembered (keyed by a keyed hash, never the password) because bcrypt is slow by design and Prometheus
/// sends the same credentials on every scrape.
/// </summary>
internal sealed class BasicAuthenticator
{
    private const int MaxCachedEntries = 1024;

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _dummyHash;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private long _hashChecks;

    /// <summary>Creates the authenticator.</summary>
    /// <param name="users">User name → bcrypt hash (validated).</param>
    public BasicAuthenticator(IReadOnlyDictionary<string, string> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        _users = users;
        var cost = users.Count == 0 ? BcryptHashes.MinCost : users.Values.Max(BcryptHashes.Cost);
        _dummyHash = BcryptHashes.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)), cost);
    }

    /// <summary>Whether <paramref name="hash"/> is a bcrypt hash this authenticator can check.</summary>
    /// <param name="hash">The hash.</param>
    /// <param name="problem">What is wrong with it, never echoing it.</param>
    /// <returns>True when it is valid.</returns>
    public static bool IsValidHash(string? hash, out string problem) => BcryptHashes.IsValidHash(hash, out problem);

    /// <summary>
    /// Hashes a password given in clear (redis_exporter's <c>--basic-auth-password</c>), so it is checked like any
    /// configured hash and the clear text need not be kept.
    /// </summary>
    /// <param name="password">The password.</param>
    /// <returns>Its bcrypt hash.</returns>
    public static string HashPassword(string password) => BcryptHashes.Hash(password, 10);

    /// <summary>How many bcrypt computations were made (the cache and the tests read it).</summary>
    public long HashChecks => Interlocked.Read(ref _hashChecks);

    /// <summary>Whether <paramref name="user"/> and <paramref name="password"/> are valid.</summary>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <returns>True when they match a configured user.</returns>
    public bool Check(string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        var known = _users.TryGetValue(user, out var hash);
        hash ??= _dummyHash;
        var cacheKey = CacheKey(user, password, hash);
        if (known && _verified.ContainsKey(cacheKey))
        {
            return true;
        }

        Interlocked.Increment(ref _hashChecks);
        var matches = BcryptHashes.Verify(password, hash);
        if (known && matches)
        {
            if (_verified.Count >= MaxCachedEntries)
            {
                // Bounded: whoever floods valid credentials only makes the next checks slow again.
                _verified.Clear();
            }

            _verified[cacheKey] = true;
        }

        return known && matches;
    }

    /// <summary>Reads the user and password of a <c>Basic</c> <c>Authorization</c> header.</summary>
    /// <param name="header">The header value.</param>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <returns>Whether the header is well-formed.</returns>
    public static bool TryParseHeader(string? header, out string user, out string password)
    {
        user = string.Empty;
        password = string.Empty;
        const string Scheme = "Basic ";
        if (header is null || header.Length > 4096 || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[3072];
        if (!Convert.TryFromBase64String(header[Scheme.Length..].Trim(), buffer, out var written))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer[..written]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    private string CacheKey(string user, string password, string hash)
    {
        // Lengths first, so "a" + "b:c" and "a:b" + "c" never collide.
        var text = $"{user.Length}:{user}{password.Length}:{password}{hash}";
        return Convert.ToHexString(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(text)));
    }
}
