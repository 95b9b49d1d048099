using System.Text.RegularExpressions;

namespace Exporters.Host.Web;

/// <summary>
/// Decides whether <c>/probe</c> may reach a target. The target's endpoint (<c>host:port</c> of a URI or address,
/// credentials ignored; the socket path of <c>unix://</c>) must match one of the allowed patterns, where <c>*</c>
/// matches any run of characters. Anything else is refused, so <c>/probe</c> cannot be used to reach arbitrary hosts.
/// </summary>
public sealed class ProbeTargetPolicy
{
    private const int MaxTargetLength = 1024;
    private readonly Regex[] _patterns;

    /// <summary>Creates the policy.</summary>
    /// <param name="allowedTargets">The patterns.</param>
    public ProbeTargetPolicy(IEnumerable<string> allowedTargets)
    {
        _patterns = [.. allowedTargets.Select(p => new Regex("^" + Regex.Escape(p.Trim()).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)))];
    }

    /// <summary>Whether <paramref name="target"/> is allowed.</summary>
    /// <param name="target">The target from the request.</param>
    /// <param name="reason">Why not, when refused.</param>
    /// <returns>True when allowed.</returns>
    public bool IsAllowed(string? target, out string reason)
    {
        reason = string.Empty;
        if (string.IsNullOrWhiteSpace(target))
        {
            reason = "the 'target' parameter is missing";
            return false;
        }

        if (target.Length > MaxTargetLength || target.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            reason = "the target is too long or contains spaces or control characters";
            return false;
        }

        var endpoint = Endpoint(target);
        if (endpoint is null)
        {
            reason = "the target is not an address or URI";
            return false;
        }

        if (_patterns.Any(p => p.IsMatch(endpoint)))
        {
            return true;
        }

        reason = $"'{endpoint}' does not match probe.allowed_targets";
        return false;
    }

    /// <summary>The part of a target the allow-list is matched against.</summary>
    /// <param name="target">An address or URI.</param>
    /// <returns>The endpoint, or null when there is none.</returns>
    public static string? Endpoint(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0 && target.AsSpan(0, schemeEnd).Equals("unix", StringComparison.OrdinalIgnoreCase))
        {
            var path = target[(schemeEnd + 3)..];
            var query = path.IndexOfAny(['?', '#']);
            return query < 0 ? path : path[..query];
        }

        var start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        var end = target.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? target.Length : end;
        var authority = target[start..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        return authority.Length == 0 ? null : authority;
    }
}
