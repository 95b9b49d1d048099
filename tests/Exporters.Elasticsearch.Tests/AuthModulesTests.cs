using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Exporters.Elasticsearch.Aws;
using Exporters.Elasticsearch.Tests.Aws;
using Exporters.TestSupport;
using Exporters.Testing;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// elasticsearch_exporter's <c>--config.file</c> with <c>auth_modules</c>, given unchanged to the host started as
/// elasticsearch_exporter (with the host's <c>probe:</c> allow-list beside it): <c>/probe?target=&amp;auth_module=</c>
/// sends each module's credentials (userpass, apikey, aws, tls) to the probed target and nowhere else, and the
/// credentials appear in no page, log line or label.
/// </summary>
public sealed class AuthModulesTests : IAsyncLifetime, IDisposable
{
    private const string Password = "s3cr3t-pass";
    private const string ApiKey = "bXk6YXBpa2V5c2VjcmV0";
    private readonly string _directory = Tools.TempDirectory("es-auth");
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly List<(string Path, string Query, string Authorization)> _seen = [];
    private readonly TestCertificates _certificates;
    private EsFixtureServer _plain = null!;
    private EsFixtureServer _mtls = null!;
    private OpenSearchStub _aws = null!;

    public AuthModulesTests() => _certificates = new TestCertificates(_directory);

    public async Task InitializeAsync()
    {
        RequestDelegate recordHealth = async context =>
        {
            lock (_seen)
            {
                _seen.Add((context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, context.Request.Headers.Authorization.ToString()));
            }

            await context.Response.SendFileAsync(Path.Combine(EsFixtureServer.DefaultFixtureDirectory(), "clusterhealth", "7.13.1.json"));
        };
        _plain = await EsFixtureServer.StartAsync("es7", new Dictionary<string, RequestDelegate> { ["/_cluster/health"] = recordHealth });
        _mtls = await EsFixtureServer.StartAsync("es7", serverCertificate: _certificates.Server, requireClientCertificate: true);
        _aws = await OpenSearchStub.StartAsync("eu-west-1", _time);
        _aws.Verifier.Accept("AKIDPROBE", "probe-secret");
    }

    public async Task DisposeAsync()
    {
        await _plain.DisposeAsync();
        await _mtls.DisposeAsync();
        await _aws.DisposeAsync();
    }

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>elasticsearch_exporter's example file (examples/auth_modules.yml), with local paths and the probe allow-list added.</summary>
    private string ConfigFile()
    {
        var path = Path.Combine(_directory, "exporter-config.yml");
        File.WriteAllText(path, $"""
            auth_modules:
              prod_basic:
                type: userpass
                userpass:
                  username: metrics
                  password: {Password}
                options:
                  local: "true"
              prod_key:
                type: apikey
                apikey: {ApiKey}
              aws_sigv4:
                type: aws
                aws:
                  region: eu-west-1
              pki_mtls:
                type: tls
                tls:
                  ca_file: {_certificates.CaFile}
                  cert_file: {_certificates.CertFile}
                  key_file: {_certificates.KeyFile}
                  insecure_skip_verify: false
            probe:
              enabled: true
              allowed_targets: ["127.0.0.1:*"]
            """);
        return path;
    }

    private static AwsEnvironment ProbeKeys() => AwsTestEnvironment.Keys("AKIDPROBE", "probe-secret");

    [Fact]
    public async Task Each_kind_of_auth_module_reaches_the_probed_target()
    {
        var port = Tools.FreePort();
        var builder = DropInHost.Builder([$"--web.listen-address=127.0.0.1:{port}", $"--config.file={ConfigFile()}"], [], ProbeKeys());
        builder.TimeProvider = _time;
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
            Task<string> Probe(string target, string module) => client.GetStringAsync(new Uri($"/probe?target={Uri.EscapeDataString(target)}&auth_module={module}", UriKind.Relative));

            var basic = await Probe(_plain.Uri, "prod_basic");
            Assert.Contains("elasticsearch_up 1", basic, StringComparison.Ordinal);
            var seen = _seen.Last();
            Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("metrics:" + Password)), seen.Authorization);
            Assert.Contains("local=true", seen.Query, StringComparison.Ordinal);

            var key = await Probe(_plain.Uri.Replace("http://", string.Empty, StringComparison.Ordinal), "prod_key");
            Assert.Contains("elasticsearch_up 1", key, StringComparison.Ordinal);
            Assert.Equal("ApiKey " + ApiKey, _seen.Last().Authorization);
            Assert.DoesNotContain("local=true", _seen.Last().Query, StringComparison.Ordinal);

            // The OpenSearch stand-in refuses anything unsigned.
            var signed = await Probe(_aws.BaseUri.ToString(), "aws_sigv4");
            Assert.Contains("elasticsearch_up 1", signed, StringComparison.Ordinal);
            Assert.NotEmpty(_aws.Seen);
            Assert.All(_aws.Seen, v => Assert.Equal(("AKIDPROBE", (string?)null), (v.AccessKeyId, v.Refusal)));

            // The server demands a client certificate; only the module has one.
            var mtls = await Probe(_mtls.Uri, "pki_mtls");
            Assert.Contains("elasticsearch_up 1", mtls, StringComparison.Ordinal);

            // Without a module, no credentials go to the probed target.
            await client.GetStringAsync(new Uri($"/probe?target={Uri.EscapeDataString(_plain.Uri)}", UriKind.Relative));
            Assert.Equal(string.Empty, _seen.Last().Authorization);

            // An unknown module or parameter fails that probe; a target outside the allow-list is refused.
            Assert.Contains("elasticsearch_up 0", await Probe(_plain.Uri, "no_such_module"), StringComparison.Ordinal);
            Assert.Contains("elasticsearch_up 0", await client.GetStringAsync(new Uri($"/probe?target={Uri.EscapeDataString(_plain.Uri)}&auth_modul=prod_key", UriKind.Relative)), StringComparison.Ordinal);
            using var refused = await client.GetAsync(new Uri("/probe?target=10.0.0.1:9200&auth_module=prod_basic", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

            // The credentials are in no page.
            foreach (var page in (string[])["/metrics", "/", "/probe?target=127.0.0.1:1&auth_module=prod_basic"])
            {
                var body = await client.GetStringAsync(new Uri(page, UriKind.Relative));
                Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
                Assert.DoesNotContain(ApiKey, body, StringComparison.Ordinal);
                Assert.DoesNotContain("probe-secret", body, StringComparison.Ordinal);
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Modules_in_the_collectors_own_section_work_without_the_profile()
    {
        var settings = new Dictionary<string, string?>
        {
            ["uri"] = string.Empty,
            ["auth_modules:reader:type"] = "userpass",
            ["auth_modules:reader:userpass:username"] = "reader",
            ["auth_modules:reader:userpass:password"] = Password,
        };
        await using var harness = CollectorHarness.Create(TestSupport.Definition, settings);

        // No uri: the instance's own scrape writes nothing; a probe with the module scrapes the target.
        Assert.Empty(CollectorHarness.Render((await harness.ScrapeAsync()).Batch).Trim());
        var probe = CollectorHarness.Render((await harness.ScrapeAsync(target: _plain.Uri, probeParameters: new Dictionary<string, string> { ["auth_module"] = "reader" })).Batch);
        Assert.Equal(1, TestSupport.Value(probe, "elasticsearch_up"));
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("reader:" + Password)), _seen.Last().Authorization);
        Assert.DoesNotContain("elasticsearch_clusterinfo_", probe, StringComparison.Ordinal);

        var refused = CollectorHarness.Render((await harness.ScrapeAsync(target: _plain.Uri, probeParameters: new Dictionary<string, string> { ["auth_module"] = "writer" })).Batch);
        Assert.Equal(0, TestSupport.Value(refused, "elasticsearch_up"));
        Assert.Contains("Warning: elasticsearch: /probe parameter auth_module: no auth module is named 'writer' (configured: reader)", harness.Logger.Lines);
        var unknown = CollectorHarness.Render((await harness.ScrapeAsync(target: _plain.Uri, probeParameters: new Dictionary<string, string> { ["check-keys"] = "x" })).Batch);
        Assert.Equal(0, TestSupport.Value(unknown, "elasticsearch_up"));
        Assert.Contains("Warning: elasticsearch: /probe parameter 'check-keys' is not known to the elasticsearch collector, which takes auth_module", harness.Logger.Lines);
    }

    [Theory]
    [InlineData("type: userpass\n    userpass:\n      username: metrics", "collectors.elasticsearch.auth_modules.bad.userpass.password")]
    [InlineData("type: apikey", "collectors.elasticsearch.auth_modules.bad.apikey")]
    [InlineData("type: tls\n    tls:\n      ca_file: /etc/ssl/ca.pem", "collectors.elasticsearch.auth_modules.bad.tls")]
    [InlineData("type: kerberos", "collectors.elasticsearch.auth_modules.bad.type")]
    [InlineData("type: userpass\n    userpass:\n      username: metrics\n      password: x\n    tls:\n      cert_file: /nonexistent.pem\n      key_file: /nonexistent-key.pem", "collectors.elasticsearch.auth_modules.bad.tls.cert_file")]
    public void A_broken_module_stops_start_up_naming_its_key(string module, string reported)
    {
        var path = Path.Combine(_directory, "bad.yml");
        File.WriteAllText(path, "auth_modules:\n  bad:\n    " + module + "\n");
        var error = Assert.ThrowsAny<Exception>(() => DropInHost.Build([$"--config.file={path}"], [], ProbeKeys()));
        Assert.Contains(reported + ":", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A private CA, a server certificate for 127.0.0.1 and a client certificate, the latter two signed by the CA.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates(string directory)
    {
        CaFile = Path.Combine(directory, "ca.pem");
        CertFile = Path.Combine(directory, "client.pem");
        KeyFile = Path.Combine(directory, "client-key.pem");
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [1, 2, 3, 4]);
        Server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        using var clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest("CN=exporter", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [5, 6, 7, 8]);
        File.WriteAllText(CertFile, client.ExportCertificatePem());
        File.WriteAllText(KeyFile, clientKey.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Server { get; }

    public string CaFile { get; }

    public string CertFile { get; }

    public string KeyFile { get; }

    public void Dispose() => Server.Dispose();
}
