using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Exporters.Abstractions;

/// <summary>
/// TLS client settings built the same way for every collector: the certificate authorities to trust instead of the
/// system's, a client certificate, and the explicit opt-out of verification.
/// </summary>
public static class ClientTls
{
    /// <summary>Builds client authentication options for a connection to a target.</summary>
    /// <param name="targetHost">The name expected in the server certificate, or null to let the caller set it (HttpClient does).</param>
    /// <param name="caFile">PEM file of the certificate authorities to trust, or null for the system's.</param>
    /// <param name="certFile">PEM client certificate, or null for none.</param>
    /// <param name="keyFile">PEM private key of the client certificate.</param>
    /// <param name="insecureSkipVerify">Accept any server certificate (an explicit, documented opt-in).</param>
    /// <returns>The options, for <see cref="SslStream"/> or <c>SocketsHttpHandler.SslOptions</c>.</returns>
    public static SslClientAuthenticationOptions CreateOptions(string? targetHost, string? caFile, string? certFile, string? keyFile, bool insecureSkipVerify)
    {
        var options = new SslClientAuthenticationOptions
        {
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (targetHost is not null)
        {
            options.TargetHost = targetHost;
        }

        if (insecureSkipVerify)
        {
#pragma warning disable CA5359 // The user asked for no verification, as the exporters this project replaces allow.
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrEmpty(caFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            options.CertificateChainPolicy = policy;
        }

        if (!string.IsNullOrEmpty(certFile))
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);

            // A certificate with an ephemeral PEM key cannot do TLS client auth on every platform; a PKCS#12 round trip persists the key.
            options.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        return options;
    }
}
