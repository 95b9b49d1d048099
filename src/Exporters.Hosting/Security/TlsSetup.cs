using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Exporters.Hosting.Security;

/// <summary>
/// Serves TLS from a <see cref="TlsServerConfig"/>: the certificate and key are re-read when their files change (a
/// cert-manager renewal needs no restart), client certificates are asked for and checked as <c>client_auth_type</c>
/// says, and the TLS versions and cipher suites are limited as configured.
/// </summary>
internal sealed partial class TlsSetup
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly Oid ClientAuthenticationUsage = new("1.3.6.1.5.5.7.3.2");

    private readonly TlsServerConfig _config;
    private readonly ILogger _logger;
    private readonly X509Certificate2Collection? _clientCas;
    private readonly CipherSuitesPolicy? _cipherPolicy;
    private readonly List<SslApplicationProtocol> _protocols;
    private readonly Lock _lock = new();
    private CertificateState _current;
    private long _lastCheck;

    /// <summary>Loads the certificate, key and client CAs.</summary>
    /// <param name="config">The TLS settings.</param>
    /// <param name="http2">Whether HTTP/2 is offered.</param>
    /// <param name="logger">Where reloads and their failures are reported.</param>
    public TlsSetup(TlsServerConfig config, bool http2, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logger);
        _config = config;
        _logger = logger;
        _current = LoadState();
        _lastCheck = Environment.TickCount64;
        _clientCas = config.ClientCaFile is { } ca ? LoadCertificates(ca) : null;
        _protocols = http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11];
        if (config.CipherSuites is not null && OperatingSystem.IsWindows())
        {
            Warnings.Add("tls_server_config.cipher_suites is accepted but not applied: Windows' TLS library does not let a process choose cipher suites");
        }
        else if (config.CipherSuites is { } suites)
        {
            try
            {
                // Like Go, the list restricts TLS 1.2 and below; TLS 1.3 keeps its standard suites.
                IEnumerable<TlsCipherSuite> allowed = (config.Protocols & SslProtocols.Tls13) != 0
                    ? [.. suites, TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256]
                    : suites;
                _cipherPolicy = new CipherSuitesPolicy(allowed);
            }
            catch (PlatformNotSupportedException)
            {
                Warnings.Add("tls_server_config.cipher_suites is accepted but not applied: this platform's TLS library does not support choosing cipher suites");
            }
        }
    }

    /// <summary>Settings accepted but not applied.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The certificate being served now (for tests and the status page).</summary>
    public X509Certificate2 CurrentCertificate => _current.Certificate;

    /// <summary>Loads a PEM certificate (with any intermediates after it) and its PEM private key.</summary>
    /// <param name="certFile">The certificate file.</param>
    /// <param name="keyFile">The key file.</param>
    /// <returns>The certificate with its key.</returns>
    public static X509Certificate2 LoadCertificate(string certFile, string keyFile) => X509Certificate2.CreateFromPemFile(certFile, keyFile);

    /// <summary>Every certificate in a PEM file.</summary>
    /// <param name="file">The file.</param>
    /// <returns>The certificates.</returns>
    public static X509Certificate2Collection LoadCertificates(string file)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(file);
        return collection;
    }

    /// <summary>Serves TLS on <paramref name="listen"/>.</summary>
    /// <param name="listen">The Kestrel endpoint.</param>
    public void Apply(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = _protocols.Contains(SslApplicationProtocol.Http2) ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            OnConnection = _ => ValueTask.FromResult(ServerOptions()),
        });
    }

    /// <summary>The options for one handshake, with the current certificate.</summary>
    /// <returns>The options.</returns>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = Current().Context,
        EnabledSslProtocols = _config.Protocols,
        CipherSuitesPolicy = _cipherPolicy,
        ApplicationProtocols = _protocols,
        ClientCertificateRequired = _config.ClientAuth != ClientAuthType.NoClientCert,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => IsClientAccepted(certificate),
    };

    private bool IsClientAccepted(X509Certificate? certificate)
    {
        switch (_config.ClientAuth)
        {
            case ClientAuthType.NoClientCert:
            case ClientAuthType.RequestClientCert:
                return true;
            case ClientAuthType.RequireAnyClientCert:
                return certificate is not null;
            case ClientAuthType.VerifyClientCertIfGiven when certificate is null:
                return true;
            case ClientAuthType.RequireAndVerifyClientCert when certificate is null:
                return false;
        }

        using var client = certificate as X509Certificate2 is { } c2 ? new X509Certificate2(c2) : X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthenticationUsage);
        if (!chain.Build(client))
        {
            LogClientRefused(_logger, "it does not chain to client_ca_file");
            return false;
        }

        if (_config.ClientAllowedSans.Count > 0 && !HasAllowedSan(client))
        {
            LogClientRefused(_logger, "none of its subject alternative names is in client_allowed_sans");
            return false;
        }

        return true;
    }

    private bool HasAllowedSan(X509Certificate2 client)
    {
        foreach (var extension in client.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                var names = san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
                if (names.Any(n => _config.ClientAllowedSans.Contains(n, StringComparer.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private CertificateState Current()
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastCheck) < CheckInterval.TotalMilliseconds)
        {
            return _current;
        }

        lock (_lock)
        {
            if (now - _lastCheck < CheckInterval.TotalMilliseconds)
            {
                return _current;
            }

            _lastCheck = now;
            var stamp = Stamp();
            if (stamp == _current.Stamp)
            {
                return _current;
            }

            try
            {
                _current = LoadState();
                LogReloaded(_logger, _config.CertFile, _current.Certificate.NotAfter);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                // A renewal writes the two files one after the other; until both match, the old pair keeps serving.
                LogReloadFailed(_logger, _config.CertFile, e.Message);
            }

            return _current;
        }
    }

    private string Stamp()
    {
        var cert = new FileInfo(_config.CertFile);
        var key = new FileInfo(_config.KeyFile);
        return FormattableString.Invariant($"{(cert.Exists ? cert.LastWriteTimeUtc.Ticks : 0)}/{(cert.Exists ? cert.Length : 0)}/{(key.Exists ? key.LastWriteTimeUtc.Ticks : 0)}/{(key.Exists ? key.Length : 0)}");
    }

    private CertificateState LoadState()
    {
        var stamp = Stamp();
        var all = LoadCertificates(_config.CertFile);
        var leaf = LoadCertificate(_config.CertFile, _config.KeyFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return new CertificateState(stamp, leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {File} reloaded; valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string file, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {File} changed but cannot be loaded; still serving the previous one: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "client certificate refused: {Reason}")]
    private static partial void LogClientRefused(ILogger logger, string reason);

    private sealed record CertificateState(string Stamp, X509Certificate2 Certificate, SslStreamCertificateContext Context);
}
