using System.Globalization;
using System.Text;

namespace Exporters.Security.Tests.Fuzz;

/// <summary>
/// Seed and case count of the property tests. CI runs the defaults; <c>EXPORTERS_FUZZ_CASES</c> raises the count and
/// <c>EXPORTERS_FUZZ_SEED</c> replays or varies a run (bench/fuzz/run sets both).
/// </summary>
public static class Fuzz
{
    public const int DefaultSeed = 20261122;

    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("EXPORTERS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    /// <summary>The number of cases: <paramref name="ciDefault"/> unless the environment asks for more.</summary>
    public static int Cases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("EXPORTERS_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var cases) && cases > 0 ? cases : ciDefault;

    /// <summary>One generator per test, seeded from the run's seed and the test's name so tests do not share a stream.</summary>
    public static Random Random(string test) => new(Seed ^ StableHash(test));

    public static string Describe(int @case) => $"seed {Seed}, case {@case} (replay with EXPORTERS_FUZZ_SEED={Seed})";

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}

/// <summary>Random edits of a valid document: the inputs parsers meet from broken or hostile peers.</summary>
public static class Mutator
{
    private static readonly string[] Tokens =
    [
        "\r\n", "\n", "\r", "\0", "-1", "0", "99999999999999999999999", "-9223372036854775809", "1e309", "NaN", "+Inf", "-Inf",
        "{", "}", "[", "]", "\"", "\\", "\\u0000", "\\ud800", ":", ",", "=", "#", " ", "\t", "é", "\u2028", "$", "*", "%", "~", "_",
        "$-1\r\n", "*-1\r\n", "$2147483648\r\n", "*2147483647\r\n", "# TYPE", "# HELP", "# EOF", "{a=\"", "null", "true", "1.5",
    ];

    public static string Mutate(Random random, string text, int maxEdits = 4)
    {
        var builder = new StringBuilder(text);
        var edits = random.Next(1, maxEdits + 1);
        for (var i = 0; i < edits; i++)
        {
            var at = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(8))
            {
                case 0 when builder.Length > 0:
                    builder[at] = (char)random.Next(0, 128);
                    break;
                case 1:
                    builder.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2 when builder.Length > 0:
                    builder.Remove(at, Math.Min(random.Next(1, 64), builder.Length - at));
                    break;
                case 3 when builder.Length > 0:
                    var length = Math.Min(random.Next(1, 256), builder.Length - at);
                    builder.Insert(at, builder.ToString(at, length));
                    break;
                case 4:
                    builder.Length = at;
                    break;
                case 5:
                    builder.Insert(at, new string(Tokens[random.Next(Tokens.Length)][0], random.Next(1, 5000)));
                    break;
                case 6 when builder.Length > 0:
                    // A digit becomes a very long number, where lengths and counts are.
                    builder.Insert(at, random.NextInt64().ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Insert(at, (char)random.Next(0x20, 0x7f));
                    break;
            }
        }

        return builder.ToString();
    }
}
