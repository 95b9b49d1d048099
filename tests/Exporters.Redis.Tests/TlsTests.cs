using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

public sealed class TlsTests
{
    private sealed record Pki(string Directory, string CaFile, string ServerCert, string ServerKey, string ClientCert, string ClientKey);

    private static Pki CreatePki()
    {
        var directory = Tools.TempDirectory("redis-tls");
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        (string Cert, string Key) Issue(string name, bool server)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
            using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), RandomNumberGenerator.GetBytes(8));
            var certFile = Path.Combine(directory, name + ".crt");
            var keyFile = Path.Combine(directory, name + ".key");
            File.WriteAllText(certFile, cert.ExportCertificatePem());
            File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
            return (certFile, keyFile);
        }

        var caFile = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        var (serverCert, serverKey) = Issue("server", server: true);
        var (clientCert, clientKey) = Issue("client", server: false);
        return new Pki(directory, caFile, serverCert, serverKey, clientCert, clientKey);
    }

    private static Task<RedisServer> StartTlsAsync(Pki pki, int tlsPort, bool authClients) => RedisServer.StartTlsAsync(tlsPort,
        "--tls-cert-file", pki.ServerCert, "--tls-key-file", pki.ServerKey, "--tls-ca-cert-file", pki.CaFile, "--tls-auth-clients", authClients ? "yes" : "no");

    [Fact]
    public async Task Connects_with_a_CA_file_and_a_client_certificate()
    {
        var pki = CreatePki();
        var port = Tools.FreePort();
        await using var redis = await StartTlsAsync(pki, port, authClients: true);
        var address = $"rediss://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        await using (var harness = Scrapes.Harness(address, ("tls:ca_file", pki.CaFile), ("tls:cert_file", pki.ClientCert), ("tls:key_file", pki.ClientKey)))
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.True(parsed.Value("redis_up") == 1, text);
        }

        await using (var harness = Scrapes.Harness(address, ("tls:ca_file", pki.CaFile)))
        {
            Assert.Equal(0, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }
    }

    [Fact]
    public async Task Verifies_the_server_certificate_unless_told_not_to()
    {
        var pki = CreatePki();
        var port = Tools.FreePort();
        await using var redis = await StartTlsAsync(pki, port, authClients: false);
        var address = $"rediss://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        await using (var harness = Scrapes.Harness(address))
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.Equal(0, parsed.Value("redis_up"));
            Assert.Contains("TLS handshake failed", text, StringComparison.Ordinal);
        }

        await using (var harness = Scrapes.Harness(address, ("tls:insecure_skip_verify", "true")))
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }

        await using (var harness = Scrapes.Harness(address, ("tls:ca_file", pki.CaFile), ("tls:server_name", "wrong.example")))
        {
            Assert.Equal(0, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }

        await using (var harness = Scrapes.Harness(address, ("tls:ca_file", pki.CaFile), ("tls:server_name", "localhost")))
        {
            Assert.Equal(1, (await Scrapes.ScrapeAsync(harness)).Parsed.Value("redis_up"));
        }
    }
}
