using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Exporters.Hosting.Security;

namespace Exporters.Security.Tests;

public class TlsTests
{
    private static string TlsYaml(Certificates c, string extra = "") =>
        $"tls_server_config:\n  cert_file: {c.ServerCert}\n  key_file: {c.ServerKey}\n{extra}";

    private static async Task<bool> HandshakeSucceedsAsync(TestHost host, SocketsHttpHandler handler)
    {
        using var client = host.Client("https", handler);
        try
        {
            using var response = await client.GetAsync("/healthz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Serves_https_only_and_respects_min_version()
    {
        var certs = await Certificates.CreateAsync();
        await using var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs, "  min_version: TLS13\n"));
        Assert.True(await HandshakeSucceedsAsync(host, certs.Handler()));
        Assert.False(await HandshakeSucceedsAsync(host, certs.Handler(protocols: SslProtocols.Tls12)));

        using var plain = host.Client();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/healthz"));
    }

    [Fact]
    public async Task Max_version_limits_the_protocol()
    {
        var certs = await Certificates.CreateAsync();
        await using var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs, "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n"));
        Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(protocols: SslProtocols.Tls12)));
        Assert.False(await HandshakeSucceedsAsync(host, certs.Handler(protocols: SslProtocols.Tls13)));
    }

    [Fact]
    public async Task Require_and_verify_client_cert_accepts_only_certificates_of_the_ca_with_an_allowed_san()
    {
        var certs = await Certificates.CreateAsync();
        await using var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs, $"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {certs.CaFile}\n  client_allowed_sans: [prometheus.monitoring]\n"));
        Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("client"))));
        Assert.False(await HandshakeSucceedsAsync(host, certs.Handler()));
        Assert.False(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("stranger"))));
        Assert.False(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("client-other-san"))));
    }

    [Fact]
    public async Task Verify_if_given_and_require_any_behave_as_named()
    {
        var certs = await Certificates.CreateAsync();
        await using (var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs, $"  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: {certs.CaFile}\n")))
        {
            Assert.True(await HandshakeSucceedsAsync(host, certs.Handler()));
            Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("client"))));
            Assert.False(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("stranger"))));
        }

        await using (var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs, "  client_auth_type: RequireAnyClientCert\n")))
        {
            Assert.False(await HandshakeSucceedsAsync(host, certs.Handler()));
            Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(certs.Client("stranger"))));
        }
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_without_a_restart()
    {
        var certs = await Certificates.CreateAsync();
        await using var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs));
        X509Certificate2? seen = null;
        Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(seen: c => seen = c)));
        var first = seen!.SerialNumber;

        await certs.IssueAsync("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? current = first;
        while (current == first && DateTime.UtcNow < deadline)
        {
            await Task.Delay(300);
            Assert.True(await HandshakeSucceedsAsync(host, certs.Handler(seen: c => seen = c)));
            current = seen.SerialNumber;
        }

        Assert.NotEqual(first, current);
    }

    [Fact]
    public async Task Http2_is_negotiated_unless_switched_off_and_basic_auth_works_over_tls()
    {
        var certs = await Certificates.CreateAsync();
        var hash = BcryptHashes.Hash("tls-pass", 4);
        foreach (var (http2, expected) in new[] { ("true", HttpVersion.Version20), ("false", HttpVersion.Version11) })
        {
            await using var host = await TestHost.StartAsync(webConfigYaml: TlsYaml(certs) + $"http_server_config:\n  http2: {http2}\nbasic_auth_users:\n  p: '{hash}'\n");
            using var client = host.Client("https", certs.Handler());
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("p:tls-pass"u8.ToArray()));
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, response.Version);
        }
    }
}
