using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Exporters.Hosting.Security;

/// <summary>
/// bcrypt (Provos and Mazières, "A Future-Adaptable Password Scheme", 1999) in the OpenBSD <c>$2a$</c>/<c>$2b$</c>/<c>$2y$</c>
/// encoding used by <c>htpasswd -B</c> and the exporter-toolkit: verification and, for the dummy hash checked for
/// unknown users, hashing with a random salt.
/// </summary>
internal static class Bcrypt
{
    /// <summary>The highest cost accepted in a configuration; every unit doubles the time of one check.</summary>
    public const int MaxCost = 20;

    /// <summary>The lowest cost the format allows.</summary>
    public const int MinCost = 4;

    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int SaltBytes = 16;
    private const int DigestBytes = 23;
    private const int MaxKeyBytes = 72;

    // Blowfish's initial P-array and S-boxes are the fractional hex digits of pi: 18 + 4 * 256 words.
    private static readonly uint[] InitialState = PiWords(18 + (4 * 256));

    private static ReadOnlySpan<byte> MagicText => "OrpheanBeholderScryDoubt"u8;

    /// <summary>Whether <paramref name="hash"/> is a well-formed bcrypt hash; <paramref name="problem"/> says why not.</summary>
    /// <param name="hash">The hash text.</param>
    /// <param name="problem">The problem, when not valid.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidHash(string? hash, out string problem)
    {
        problem = string.Empty;
        if (!TryParse(hash, out _, out _, out _, out var reason))
        {
            problem = reason;
            return false;
        }

        return true;
    }

    /// <summary>The cost (log2 of the rounds) of a well-formed hash.</summary>
    /// <param name="hash">The hash.</param>
    /// <returns>The cost.</returns>
    /// <exception cref="FormatException">The hash is not well-formed.</exception>
    public static int Cost(string hash) =>
        TryParse(hash, out var cost, out _, out _, out var reason) ? cost : throw new FormatException(reason);

    /// <summary>Checks <paramref name="password"/> against <paramref name="hash"/>, comparing the digests in constant time.</summary>
    /// <param name="password">The password as given.</param>
    /// <param name="hash">The bcrypt hash.</param>
    /// <returns>True when the password matches; false also when the hash is malformed.</returns>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(hash, out var cost, out var salt, out var expected, out _))
        {
            return false;
        }

        var actual = Digest(password, salt, cost);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Hashes <paramref name="password"/> with a random salt.</summary>
    /// <param name="password">The password.</param>
    /// <param name="cost">The cost, <see cref="MinCost"/> to 31.</param>
    /// <returns>The <c>$2b$</c> hash.</returns>
    public static string Hash(string password, int cost)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return Format(cost, salt, Digest(password, salt, cost));
    }

    /// <summary>Hashes <paramref name="password"/> with a given salt (22 characters of bcrypt's base-64), for test vectors.</summary>
    /// <param name="password">The password.</param>
    /// <param name="cost">The cost.</param>
    /// <param name="encodedSalt">The salt.</param>
    /// <returns>The <c>$2b$</c> hash.</returns>
    public static string Hash(string password, int cost, string encodedSalt)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(encodedSalt);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, 31);
        var salt = Decode(encodedSalt, SaltBytes) ?? throw new FormatException("the salt is not 22 characters of bcrypt's base-64");
        return Format(cost, salt, Digest(password, salt, cost));
    }

    private static string Format(int cost, byte[] salt, byte[] digest) =>
        $"$2b${cost:00}${Encode(salt)}{Encode(digest)}";

    private static bool TryParse(string? hash, out int cost, out byte[] salt, out byte[] digest, out string problem)
    {
        cost = 0;
        salt = [];
        digest = [];
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

        cost = ((hash[4] - '0') * 10) + (hash[5] - '0');
        if (cost is < MinCost or > MaxCost)
        {
            problem = $"the bcrypt cost {cost} is outside {MinCost}..{MaxCost}";
            return false;
        }

        var decodedSalt = Decode(hash.AsSpan(7, 22), SaltBytes);
        var decodedDigest = Decode(hash.AsSpan(29, 31), DigestBytes);
        if (decodedSalt is null || decodedDigest is null)
        {
            problem = "the bcrypt salt or digest has characters outside bcrypt's base-64 alphabet";
            return false;
        }

        salt = decodedSalt;
        digest = decodedDigest;
        return true;
    }

    private static byte[] Digest(string password, byte[] salt, int cost)
    {
        // The key is the password's bytes and a terminating NUL, at most 72 bytes: longer passwords are cut there.
        var utf8 = Encoding.UTF8.GetBytes(password);
        var key = new byte[Math.Min(utf8.Length + 1, MaxKeyBytes)];
        utf8.AsSpan(0, Math.Min(utf8.Length, key.Length)).CopyTo(key);
        CryptographicOperations.ZeroMemory(utf8);

        var state = new BlowfishState();
        state.ExpandKey(salt, key);
        var rounds = 1L << cost;
        for (long i = 0; i < rounds; i++)
        {
            state.ExpandKey(null, key);
            state.ExpandKey(null, salt);
        }

        CryptographicOperations.ZeroMemory(key);
        Span<uint> text = stackalloc uint[6];
        for (var i = 0; i < 6; i++)
        {
            text[i] = BinaryPrimitives.ReadUInt32BigEndian(MagicText[(i * 4)..]);
        }

        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 6; j += 2)
            {
                state.Encrypt(ref text[j], ref text[j + 1]);
            }
        }

        var output = new byte[24];
        for (var i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(i * 4), text[i]);
        }

        // The encoding carries 23 of the 24 bytes.
        return output[..DigestBytes];
    }

    private static string Encode(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder((data.Length * 4 / 3) + 1);
        for (var i = 0; i < data.Length; i += 3)
        {
            var b0 = data[i];
            var b1 = i + 1 < data.Length ? data[i + 1] : 0;
            var b2 = i + 2 < data.Length ? data[i + 2] : 0;
            text.Append(Alphabet[b0 >> 2]);
            text.Append(Alphabet[((b0 & 0x03) << 4) | (b1 >> 4)]);
            if (i + 1 < data.Length)
            {
                text.Append(Alphabet[((b1 & 0x0f) << 2) | (b2 >> 6)]);
            }

            if (i + 2 < data.Length)
            {
                text.Append(Alphabet[b2 & 0x3f]);
            }
        }

        return text.ToString();
    }

    private static byte[]? Decode(ReadOnlySpan<char> text, int length)
    {
        var output = new byte[length];
        var bits = 0;
        var bitCount = 0;
        var written = 0;
        foreach (var c in text)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            bits = (bits << 6) | value;
            bitCount += 6;
            if (bitCount >= 8)
            {
                bitCount -= 8;
                if (written < length)
                {
                    output[written++] = (byte)(bits >> bitCount);
                }

                bits &= (1 << bitCount) - 1;
            }
        }

        return written == length ? output : null;
    }

    /// <summary>The first <paramref name="count"/> 32-bit words of pi's fractional part, by Machin's formula.</summary>
    private static uint[] PiWords(int count)
    {
        var bits = (count * 32) + 64;
        var one = BigInteger.One << bits;
        var pi = (16 * ArcTanInverse(5, one)) - (4 * ArcTanInverse(239, one));
        var fraction = pi - (3 * one);
        var words = new uint[count];
        for (var i = 0; i < count; i++)
        {
            words[i] = (uint)((fraction >> (bits - (32 * (i + 1)))) & uint.MaxValue);
        }

        return words;
    }

    private static BigInteger ArcTanInverse(int x, BigInteger one)
    {
        var power = one / x;
        var sum = power;
        var x2 = x * x;
        for (var n = 3; !power.IsZero; n += 2)
        {
            power /= x2;
            sum += (n & 2) == 0 ? power / n : -(power / n);
        }

        return sum;
    }

    private sealed class BlowfishState
    {
        private readonly uint[] _p = new uint[18];
        private readonly uint[] _s = new uint[4 * 256];

        public BlowfishState()
        {
            InitialState.AsSpan(0, 18).CopyTo(_p);
            InitialState.AsSpan(18).CopyTo(_s);
        }

        public void ExpandKey(byte[]? salt, byte[] key)
        {
            var keyPosition = 0;
            for (var i = 0; i < 18; i++)
            {
                _p[i] ^= StreamWord(key, ref keyPosition);
            }

            uint left = 0, right = 0;
            var saltPosition = 0;
            for (var i = 0; i < 18; i += 2)
            {
                Mix(salt, ref saltPosition, ref left, ref right);
                _p[i] = left;
                _p[i + 1] = right;
            }

            for (var i = 0; i < _s.Length; i += 2)
            {
                Mix(salt, ref saltPosition, ref left, ref right);
                _s[i] = left;
                _s[i + 1] = right;
            }
        }

        public void Encrypt(ref uint left, ref uint right)
        {
            var l = left;
            var r = right;
            for (var i = 0; i < 16; i += 2)
            {
                l ^= _p[i];
                r ^= F(l);
                r ^= _p[i + 1];
                l ^= F(r);
            }

            left = r ^ _p[17];
            right = l ^ _p[16];
        }

        private static uint StreamWord(byte[] data, ref int position)
        {
            uint word = 0;
            for (var i = 0; i < 4; i++)
            {
                word = (word << 8) | data[position];
                position = (position + 1) % data.Length;
            }

            return word;
        }

        private void Mix(byte[]? salt, ref int saltPosition, ref uint left, ref uint right)
        {
            if (salt is not null)
            {
                left ^= StreamWord(salt, ref saltPosition);
                right ^= StreamWord(salt, ref saltPosition);
            }

            Encrypt(ref left, ref right);
        }

        private uint F(uint x) =>
            ((_s[(int)(x >> 24)] + _s[256 + (int)((x >> 16) & 0xff)]) ^ _s[512 + (int)((x >> 8) & 0xff)]) + _s[768 + (int)(x & 0xff)];
    }
}
