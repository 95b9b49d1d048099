using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests;

/// <summary>HTTPS with a private CA, client certificates and skip-verify, against a real TLS server.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _directory = Tools.TempDirectory("es-tls");
    private readonly X509Certificate2 _server;

    public TlsTests()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [1, 2, 3, 4]);
        _server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest("CN=exporter", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [5, 6, 7, 8]);
        File.WriteAllText(CertFile, client.ExportCertificatePem());
        File.WriteAllText(KeyFile, clientKey.ExportPkcs8PrivateKeyPem());
    }

    private string CaFile => Path.Combine(_directory, "ca.pem");

    private string CertFile => Path.Combine(_directory, "client.pem");

    private string KeyFile => Path.Combine(_directory, "client-key.pem");

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Untrusted_server_certificate_fails_with_a_clear_message()
    {
        await using var server = await EsFixtureServer.StartAsync("es7", serverCertificate: _server);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri });
        await using var _ = harness;
        Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("TLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ca_file_makes_the_server_trusted()
    {
        await using var server = await EsFixtureServer.StartAsync("es7", serverCertificate: _server);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["tls:ca_file"] = CaFile });
        await using var _ = harness;
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_scrape_success{collector=\"nodes\"}"));
    }

    [Fact]
    public async Task Skip_verify_accepts_any_certificate()
    {
        await using var server = await EsFixtureServer.StartAsync("es7", serverCertificate: _server);
        var (text, _, harness) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["tls:insecure_skip_verify"] = "true" });
        await using var _ = harness;
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
    }

    [Fact]
    public async Task Client_certificate_is_presented_when_configured()
    {
        await using var server = await EsFixtureServer.StartAsync("es7", serverCertificate: _server, requireClientCertificate: true);
        var (without, _, h1) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["tls:ca_file"] = CaFile });
        await using var _1 = h1;
        Assert.Equal(0, TestSupport.Value(without, "elasticsearch_up"));

        var (with, _, h2) = await TestSupport.ScrapeAsync(new() { ["uri"] = server.Uri, ["tls:ca_file"] = CaFile, ["tls:cert_file"] = CertFile, ["tls:key_file"] = KeyFile });
        await using var _2 = h2;
        Assert.Equal(1, TestSupport.Value(with, "elasticsearch_up"));
    }
}
