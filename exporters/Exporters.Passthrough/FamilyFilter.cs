using System.Text.RegularExpressions;

namespace Exporters.Passthrough;

/// <summary>
/// Decides which families pass, from allow and deny patterns (regular expressions matched against the whole family
/// name, as in Prometheus relabelling). Deny wins over allow; an empty allow list allows everything.
/// </summary>
public sealed class FamilyFilter
{
    private const int MaxRemembered = 20_000;
    private readonly Regex[] _allow;
    private readonly Regex[] _deny;
    private readonly Dictionary<string, bool> _decisions = new(StringComparer.Ordinal);

    /// <summary>Creates a filter; patterns must be valid (see <see cref="TryCompile"/>).</summary>
    /// <param name="allow">Families to keep, or empty for all.</param>
    /// <param name="deny">Families to drop.</param>
    public FamilyFilter(IEnumerable<string>? allow, IEnumerable<string>? deny)
    {
        _allow = [.. (allow ?? []).Select(Compile)];
        _deny = [.. (deny ?? []).Select(Compile)];
    }

    /// <summary>A filter that keeps everything.</summary>
    public static FamilyFilter All { get; } = new(null, null);

    /// <summary>Checks that <paramref name="pattern"/> compiles.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="error">Why it does not.</param>
    /// <returns>Whether it compiles.</returns>
    public static bool TryCompile(string? pattern, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(pattern))
        {
            error = "pattern is empty";
            return false;
        }

        try
        {
            Compile(pattern);
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Whether family <paramref name="name"/> passes. Decisions are remembered per name.</summary>
    /// <param name="name">The family name as users query it on the target, before any prefix.</param>
    /// <returns>Whether to keep it.</returns>
    public bool Allows(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_allow.Length == 0 && _deny.Length == 0)
        {
            return true;
        }

        if (_decisions.TryGetValue(name, out var decision))
        {
            return decision;
        }

        decision = (_allow.Length == 0 || Array.Exists(_allow, r => r.IsMatch(name))) && !Array.Exists(_deny, r => r.IsMatch(name));
        if (_decisions.Count >= MaxRemembered)
        {
            _decisions.Clear();
        }

        _decisions[name] = decision;
        return decision;
    }

    // Non-backtracking: patterns come from configuration and run on names the target chooses.
    private static Regex Compile(string pattern) => new("^(?:" + pattern + ")$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
}
