using System.Net.Security;
using System.Security.Authentication;

namespace Exporters.Hosting.Security;

/// <summary>
/// The <c>--web.config.file</c> settings, in the exporter-toolkit format every official Prometheus exporter reads,
/// so a file written for node_exporter or redis_exporter works unchanged.
/// </summary>
/// <param name="Tls">TLS settings, or null to serve plain HTTP.</param>
/// <param name="Http">HTTP settings.</param>
/// <param name="BasicAuthUsers">User name → bcrypt hash; empty when no credentials are required.</param>
/// <param name="Warnings">Settings accepted but not applied, to be logged at start-up.</param>
internal sealed record WebConfig(TlsServerConfig? Tls, HttpServerConfig Http, IReadOnlyDictionary<string, string> BasicAuthUsers, IReadOnlyList<string> Warnings)
{
    /// <summary>No file: plain HTTP, no credentials, HTTP/2 on, no extra headers.</summary>
    public static WebConfig None { get; } = new(null, new HttpServerConfig(true, new Dictionary<string, string>()), new Dictionary<string, string>(), []);

    /// <summary>Whether requests must carry basic-auth credentials.</summary>
    public bool RequiresAuthentication => BasicAuthUsers.Count > 0;
}

/// <summary>The <c>tls_server_config</c> section.</summary>
/// <param name="CertFile">Server certificate (PEM), re-read when it changes.</param>
/// <param name="KeyFile">Its private key (PEM), re-read when it changes.</param>
/// <param name="ClientAuth">Whether and how client certificates are asked for and checked.</param>
/// <param name="ClientCaFile">CA certificates (PEM) client certificates must chain to, or null.</param>
/// <param name="Protocols">The TLS versions allowed (<c>min_version</c> to <c>max_version</c>).</param>
/// <param name="CipherSuites">The TLS 1.2 cipher suites allowed, or null for the platform's defaults.</param>
/// <param name="ClientAllowedSans">Subject alternative names a client certificate must carry one of, or empty for any.</param>
internal sealed record TlsServerConfig(
    string CertFile,
    string KeyFile,
    ClientAuthType ClientAuth,
    string? ClientCaFile,
    SslProtocols Protocols,
    IReadOnlyList<TlsCipherSuite>? CipherSuites,
    IReadOnlyList<string> ClientAllowedSans);

/// <summary>The <c>http_server_config</c> section.</summary>
/// <param name="Http2">Whether HTTP/2 is offered (over TLS, by ALPN).</param>
/// <param name="Headers">Headers added to every response.</param>
internal sealed record HttpServerConfig(bool Http2, IReadOnlyDictionary<string, string> Headers);

/// <summary><c>client_auth_type</c>, with Go's <c>crypto/tls</c> names.</summary>
internal enum ClientAuthType
{
    /// <summary>No client certificate is asked for (the default).</summary>
    NoClientCert,

    /// <summary>A certificate is asked for but neither required nor checked.</summary>
    RequestClientCert,

    /// <summary>A certificate is required but not checked against the CA.</summary>
    RequireAnyClientCert,

    /// <summary>A certificate is optional; when given it must chain to <c>client_ca_file</c>.</summary>
    VerifyClientCertIfGiven,

    /// <summary>A certificate is required and must chain to <c>client_ca_file</c>.</summary>
    RequireAndVerifyClientCert,
}
