using System.Buffers;

namespace Exporters.Hosting.Security;

/// <summary>
/// The bcrypt hashes of <c>basic_auth_users</c> (the <c>$2a$</c>/<c>$2b$</c>/<c>$2y$</c> encoding <c>htpasswd -B</c> and
/// the exporter-toolkit use): checked for form when the web config is read, so a bad one is reported with its user
/// instead of failing every request; verified by BCrypt.Net-Next.
/// </summary>
internal static class BcryptHashes
{
    /// <summary>The highest cost accepted in a configuration; every unit doubles the time of one check.</summary>
    public const int MaxCost = 20;

    /// <summary>The lowest cost the format allows.</summary>
    public const int MinCost = 4;

    private static readonly SearchValues<char> Alphabet = SearchValues.Create("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>Whether <paramref name="hash"/> is a well-formed bcrypt hash; <paramref name="problem"/> says why not.</summary>
    /// <param name="hash">The hash text.</param>
    /// <param name="problem">The problem, when not valid.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidHash(string? hash, out string problem)
    {
        problem = string.Empty;

        // "$2b$" + 2 digits + "$" + 22 characters of salt + 31 of digest.
        if (hash is null || hash.Length != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$')
        {
            problem = "is not a bcrypt hash ($2b$<cost>$<53 characters>, as htpasswd -B writes)";
            return false;
        }

        if (hash[2] is not ('a' or 'b' or 'y'))
        {
            problem = $"bcrypt version $2{hash[2]}$ is not supported; use $2a$, $2b$ or $2y$";
            return false;
        }

        if (!char.IsAsciiDigit(hash[4]) || !char.IsAsciiDigit(hash[5]))
        {
            problem = "the bcrypt cost is not two digits";
            return false;
        }

        var cost = ((hash[4] - '0') * 10) + (hash[5] - '0');
        if (cost is < MinCost or > MaxCost)
        {
            problem = $"the bcrypt cost {cost} is outside {MinCost}..{MaxCost}";
            return false;
        }

        if (hash.AsSpan(7).IndexOfAnyExcept(Alphabet) >= 0)
        {
            problem = "the bcrypt salt or digest has characters outside bcrypt's base-64 alphabet";
            return false;
        }

        return true;
    }

    /// <summary>The cost (log2 of the rounds) of a well-formed hash.</summary>
    /// <param name="hash">The hash.</param>
    /// <returns>The cost.</returns>
    /// <exception cref="FormatException">The hash is not well-formed.</exception>
    public static int Cost(string hash) =>
        IsValidHash(hash, out var problem) ? ((hash[4] - '0') * 10) + (hash[5] - '0') : throw new FormatException(problem);

    /// <summary>Checks <paramref name="password"/> (UTF-8) against <paramref name="hash"/>; the digests are compared in constant time.</summary>
    /// <param name="password">The password as given.</param>
    /// <param name="hash">The bcrypt hash.</param>
    /// <returns>True when the password matches; false also when the hash is malformed.</returns>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);

        // BCrypt.Net throws on a malformed hash; one that passed IsValidHash never is, but a check must not throw.
        return IsValidHash(hash, out _) && BCrypt.Net.BCrypt.Verify(password, hash);
    }

    /// <summary>Hashes <paramref name="password"/> with a random salt (the dummy hash checked for unknown users).</summary>
    /// <param name="password">The password.</param>
    /// <param name="cost">The cost, <see cref="MinCost"/> to 31.</param>
    /// <returns>The <c>$2a$</c> hash.</returns>
    public static string Hash(string password, int cost)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        return BCrypt.Net.BCrypt.HashPassword(password, cost);
    }
}
