using System.Security.Authentication;
using System.Security.Cryptography;
using Exporters.Hosting.Configuration;

namespace Exporters.Hosting.Security;

/// <summary>
/// HTTPS and basic auth given by flags (<c>--web.tls.*</c>, <c>--web.basic-auth.*</c>, and the redis_exporter
/// profile's <c>--tls-server-*</c> and <c>--basic-auth-*</c> that map onto them), turned into the same
/// <see cref="WebConfig"/> a <c>--web.config.file</c> gives, so one machinery serves both.
/// </summary>
internal static class WebFlags
{
    private static readonly (string[] Names, SslProtocols Protocol)[] Versions =
    [
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0 and 1.1 are accepted because redis_exporter's flag allows them; the default is TLS 1.2.
        (["TLS10", "TLS1.0"], SslProtocols.Tls),
        (["TLS11", "TLS1.1"], SslProtocols.Tls11),
#pragma warning restore SYSLIB0039, CA5397
        (["TLS12", "TLS1.2"], SslProtocols.Tls12),
        (["TLS13", "TLS1.3"], SslProtocols.Tls13),
    ];

    /// <summary>Whether any TLS or basic-auth flag was given.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>True when the flags configure something.</returns>
    public static bool Any(HostSettings settings) =>
        !string.IsNullOrEmpty(settings.WebTlsCertFile) || !string.IsNullOrEmpty(settings.WebTlsKeyFile) || !string.IsNullOrEmpty(settings.WebTlsClientCaFile)
        || !string.IsNullOrEmpty(settings.BasicAuthUsername) || !string.IsNullOrEmpty(settings.BasicAuthPassword) || !string.IsNullOrEmpty(settings.BasicAuthPasswordHash);

    /// <summary>Applies the flags to the settings of the web config file (or <see cref="WebConfig.None"/>).</summary>
    /// <param name="fromFile">What <c>--web.config.file</c> gave.</param>
    /// <param name="settings">The settings with the flags.</param>
    /// <returns>The combined settings.</returns>
    /// <exception cref="ConfigurationException">A flag is invalid, or conflicts with the file; the message names it.</exception>
    public static WebConfig Apply(WebConfig fromFile, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(fromFile);
        ArgumentNullException.ThrowIfNull(settings);
        if (!Any(settings))
        {
            return fromFile;
        }

        var problems = new List<string>();
        var warnings = new List<string>(fromFile.Warnings);
        var tls = Tls(fromFile, settings, problems);
        var users = Users(fromFile, settings, problems, warnings);
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return fromFile with { Tls = tls, BasicAuthUsers = users, Warnings = warnings };
    }

    private static TlsServerConfig? Tls(WebConfig fromFile, HostSettings settings, List<string> problems)
    {
        var cert = settings.WebTlsCertFile;
        var key = settings.WebTlsKeyFile;
        var ca = settings.WebTlsClientCaFile;
        if (string.IsNullOrEmpty(cert) && string.IsNullOrEmpty(key))
        {
            if (!string.IsNullOrEmpty(ca))
            {
                problems.Add("--web.tls.client-ca-file (--tls-server-ca-cert-file): needs --web.tls.cert-file and --web.tls.key-file");
            }

            return fromFile.Tls;
        }

        if (fromFile.Tls is not null)
        {
            problems.Add("--web.tls.cert-file (--tls-server-cert-file): --web.config.file already has a tls_server_config; use one or the other");
            return null;
        }

        if (string.IsNullOrEmpty(cert) || string.IsNullOrEmpty(key))
        {
            // redis_exporter serves plain HTTP when one of the two is missing; here that is an error rather than a silent downgrade.
            problems.Add(string.IsNullOrEmpty(cert)
                ? "--web.tls.cert-file (--tls-server-cert-file): missing; --web.tls.key-file is set"
                : "--web.tls.key-file (--tls-server-key-file): missing; --web.tls.cert-file is set");
            return null;
        }

        var min = SslProtocols.Tls12;
        if (settings.WebTlsMinVersion is { Length: > 0 } text)
        {
            var found = Versions.FirstOrDefault(v => v.Names.Contains(text, StringComparer.OrdinalIgnoreCase));
            if (found.Names is null)
            {
                problems.Add($"--web.tls.min-version (--tls-server-min-version): '{text}' is not one of TLS1.0, TLS1.1, TLS1.2, TLS1.3");
            }
            else
            {
                min = found.Protocol;
            }
        }

        var protocols = SslProtocols.None;
        foreach (var (_, protocol) in Versions.Where(v => v.Protocol >= min))
        {
            protocols |= protocol;
        }

        try
        {
            using var certificate = TlsSetup.LoadCertificate(cert, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            problems.Add($"--web.tls.cert-file (--tls-server-cert-file): cannot load '{cert}' with key '{key}': {e.Message}");
        }

        if (!string.IsNullOrEmpty(ca))
        {
            try
            {
                if (TlsSetup.LoadCertificates(ca).Count == 0)
                {
                    problems.Add($"--web.tls.client-ca-file (--tls-server-ca-cert-file): '{ca}' holds no PEM certificate");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                problems.Add($"--web.tls.client-ca-file (--tls-server-ca-cert-file): cannot load '{ca}': {e.Message}");
            }
        }

        // As redis_exporter does: a CA file means every client must present a certificate that chains to it.
        return new TlsServerConfig(
            Path.GetFullPath(cert),
            Path.GetFullPath(key),
            string.IsNullOrEmpty(ca) ? ClientAuthType.NoClientCert : ClientAuthType.RequireAndVerifyClientCert,
            string.IsNullOrEmpty(ca) ? null : Path.GetFullPath(ca),
            protocols,
            null,
            []);
    }

    private static IReadOnlyDictionary<string, string> Users(WebConfig fromFile, HostSettings settings, List<string> problems, List<string> warnings)
    {
        var user = settings.BasicAuthUsername;
        var password = settings.BasicAuthPassword;
        var hash = settings.BasicAuthPasswordHash;
        var passwordGiven = !string.IsNullOrEmpty(password) || !string.IsNullOrEmpty(hash);
        if (string.IsNullOrEmpty(user))
        {
            if (passwordGiven)
            {
                // redis_exporter leaves the endpoints open here; saying so beats a silent open door.
                warnings.Add("a basic-auth password was given without --web.basic-auth.username (--basic-auth-username); basic auth is off");
            }

            return fromFile.BasicAuthUsers;
        }

        if (!passwordGiven)
        {
            warnings.Add("--web.basic-auth.username (--basic-auth-username) was given without a password or password hash; basic auth is off");
            return fromFile.BasicAuthUsers;
        }

        if (!string.IsNullOrEmpty(password) && !string.IsNullOrEmpty(hash))
        {
            problems.Add("--web.basic-auth.password (--basic-auth-password): set either the password or its hash (--basic-auth-hash-password), not both");
            return fromFile.BasicAuthUsers;
        }

        if (user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl))
        {
            problems.Add("--web.basic-auth.username (--basic-auth-username): must be text without ':'");
            return fromFile.BasicAuthUsers;
        }

        if (fromFile.BasicAuthUsers.Count > 0)
        {
            problems.Add("--web.basic-auth.username (--basic-auth-username): --web.config.file already has basic_auth_users; use one or the other");
            return fromFile.BasicAuthUsers;
        }

        if (!string.IsNullOrEmpty(hash) && !BasicAuthenticator.IsValidHash(hash, out var problem))
        {
            // The hash is not echoed: it is a secret's derivative.
            problems.Add($"--web.basic-auth.password-hash (--basic-auth-hash-password): {problem}");
            return fromFile.BasicAuthUsers;
        }

        return new Dictionary<string, string>(StringComparer.Ordinal) { [user] = hash is { Length: > 0 } ? hash : BasicAuthenticator.HashPassword(password!) };
    }
}
