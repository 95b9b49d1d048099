using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Exporters.Hosting.Web;

/// <summary>
/// Decides whether <c>/probe</c> may reach a target. The target's endpoint (<c>host:port</c> of a URI or address,
/// credentials ignored; the socket path of <c>unix://</c>) must match one of the allowed patterns, where <c>*</c>
/// matches any run of characters. Anything else is refused, so <c>/probe</c> cannot be used to reach arbitrary hosts.
/// <para>
/// <see cref="IsAllowedAsync"/> then checks the addresses the host resolves to, so a name cannot smuggle a probe to an
/// address the list does not permit. An address is permitted when a pattern written as an address (<c>10.1.*:6379</c>,
/// <c>[fd00::1]:9200</c>) or a CIDR range (<c>10.0.0.0/8:*</c>) covers it with the port, or when it is an ordinary
/// unicast address and the endpoint matched a name pattern. Loopback, link-local (cloud metadata services),
/// unspecified, multicast and broadcast addresses are never reached through a name pattern: list them as addresses.
/// The exception is a pattern whose host is exactly <c>localhost</c>, which names loopback on purpose.
/// </para>
/// </summary>
internal sealed class ProbeTargetPolicy
{
    private const int MaxTargetLength = 1024;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(2);
    private readonly Regex[] _patterns;
    private readonly string[] _sources;

    /// <summary>Creates the policy.</summary>
    /// <param name="allowedTargets">The patterns.</param>
    public ProbeTargetPolicy(IEnumerable<string> allowedTargets)
    {
        _sources = [.. allowedTargets.Select(p => p.Trim())];
        _patterns = [.. _sources.Select(ToRegex)];
    }

    /// <summary>
    /// Whether <paramref name="target"/> is allowed: its endpoint matches a pattern and every address its host
    /// resolves to is permitted (see the type's remarks). A name that does not resolve is let through: the collector
    /// resolves it again and reaches nothing.
    /// </summary>
    /// <param name="target">The target from the request.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    /// <returns>Whether it is allowed, and why not.</returns>
    public async Task<(bool Allowed, string Reason)> IsAllowedAsync(string? target, CancellationToken cancellationToken)
    {
        if (!IsAllowed(target, out var reason))
        {
            return (false, reason);
        }

        var endpoint = Endpoint(target!)!;
        if (endpoint.StartsWith('/'))
        {
            return (true, string.Empty);
        }

        // An address without a port (a bare IPv6 address has colons of its own) is checked as a whole.
        if (IPAddress.TryParse(endpoint.Trim('[', ']'), out _) || !TrySplit(endpoint, out var host, out var port))
        {
            host = endpoint;
            port = string.Empty;
        }

        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            return (false, $"'{endpoint}' does not name a host");
        }

        var byName = _sources.Where((_, i) => _patterns[i].IsMatch(endpoint)).Select(p => TrySplit(p, out var h, out _) ? h : p).ToList();
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or ArgumentException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return (true, string.Empty);
            }
        }

        foreach (var address in addresses)
        {
            if (!IsPermitted(address, port, byName))
            {
                return (false, $"'{endpoint}' resolves to {address}, which probe.allowed_targets does not permit (list special addresses as addresses)");
            }
        }

        return (true, string.Empty);
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

        // CIDR patterns cannot be matched as text; an address target inside one is allowed.
        if (TrySplit(endpoint, out var host, out var port) && IPAddress.TryParse(host.Trim('[', ']'), out var address) && IsListedAddress(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port))
        {
            return true;
        }

        reason = $"'{endpoint}' does not match probe.allowed_targets";
        return false;
    }

    private static Regex ToRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));

    private bool IsPermitted(IPAddress address, string port, List<string> matchedNameHosts)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IsListedAddress(address, port))
        {
            return true;
        }

        if (IPAddress.IsLoopback(address))
        {
            return matchedNameHosts.Contains("localhost", StringComparer.OrdinalIgnoreCase);
        }

        return matchedNameHosts.Any(h => !IsAddressPattern(h)) && IsOrdinary(address);
    }

    private bool IsListedAddress(IPAddress address, string port)
    {
        var text = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        foreach (var source in _sources)
        {
            if (!TrySplit(source, out var host, out var portPattern) || !ToRegex(portPattern).IsMatch(port))
            {
                continue;
            }

            if (host.Contains('/', StringComparison.Ordinal))
            {
                if (IPNetwork.TryParse(host.Trim('[', ']'), out var network) && network.Contains(address))
                {
                    return true;
                }
            }
            else if (IsAddressPattern(host) && ToRegex(host).IsMatch(text))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAddressPattern(string host) =>
        host.StartsWith('[') || (host.Any(char.IsAsciiDigit) && host.All(c => char.IsAsciiDigit(c) || c is '.' or '*'));

    private static bool IsOrdinary(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] != 0 && b[0] != 127 && !(b[0] == 169 && b[1] == 254) && b[0] < 224;
        }

        return !address.Equals(IPAddress.IPv6None) && !address.IsIPv6LinkLocal && !address.IsIPv6Multicast && !address.IsIPv6SiteLocal && !IPAddress.IsLoopback(address);
    }

    private static bool TrySplit(string endpoint, out string host, out string port)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || (endpoint.StartsWith('[') && endpoint[colon - 1] != ']'))
        {
            host = endpoint;
            port = string.Empty;
            return false;
        }

        host = endpoint[..colon];
        port = endpoint[(colon + 1)..];
        return true;
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
