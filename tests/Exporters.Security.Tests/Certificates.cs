using System.Security.Cryptography.X509Certificates;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

/// <summary>A CA, a server certificate for 127.0.0.1 and client certificates, made by the openssl command.</summary>
public sealed class Certificates
{
    private Certificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string ServerCert => Path.Combine(Directory, "server.crt");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public static async Task<Certificates> CreateAsync()
    {
        var certificates = new Certificates(Tools.TempDirectory("certs"));
        await certificates.OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.crt");
        await certificates.OpenSslAsync("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=other-ca", "-keyout", "other-ca.key", "-out", "other-ca.crt");
        await certificates.IssueAsync("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
        await certificates.IssueAsync("client", "ca", "subjectAltName=DNS:prometheus.monitoring\nextendedKeyUsage=clientAuth");
        await certificates.IssueAsync("client-other-san", "ca", "subjectAltName=DNS:someone-else\nextendedKeyUsage=clientAuth");
        await certificates.IssueAsync("stranger", "other-ca", "subjectAltName=DNS:prometheus.monitoring\nextendedKeyUsage=clientAuth");
        return certificates;
    }

    /// <summary>Issues <paramref name="name"/>.crt/.key signed by <paramref name="ca"/>.</summary>
    public async Task IssueAsync(string name, string ca, string extensions)
    {
        await File.WriteAllTextAsync(Path.Combine(Directory, name + ".ext"), extensions + "\n");
        await OpenSslAsync("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out", name + ".csr");
        await OpenSslAsync("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
    }

    public X509Certificate2 Client(string name) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(Directory, name + ".crt"), Path.Combine(Directory, name + ".key"));

    /// <summary>A client that trusts only this CA and presents <paramref name="clientCertificate"/> when given.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate = null, System.Security.Authentication.SslProtocols protocols = System.Security.Authentication.SslProtocols.None, Action<X509Certificate2>? seen = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
        handler.SslOptions.EnabledSslProtocols = protocols;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            seen?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(server);
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return handler;
    }

    private async Task OpenSslAsync(params string[] args)
    {
        await using var process = ExternalProcess.Start("openssl", args, Directory);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "openssl did not finish");
        Assert.True(process.ExitCode == 0, "openssl " + string.Join(' ', args) + ": " + process.Output);
    }
}
