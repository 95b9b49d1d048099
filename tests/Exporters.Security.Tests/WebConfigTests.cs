using System.Net;
using Exporters.Hosting;
using Exporters.Hosting.Security;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

public class WebConfigTests
{
    [Theory]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n", "tls_server_config.key_file: missing")]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS14\n", "tls_server_config.min_version: 'TLS14'")]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n", "tls_server_config.client_ca_file: required")]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: Sometimes\n", "tls_server_config.client_auth_type: 'Sometimes'")]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suites: [TLS_NOPE]\n", "tls_server_config.cipher_suites: 'TLS_NOPE'")]
    [InlineData("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS13\n  max_version: TLS12\n", "tls_server_config.min_version: is above max_version")]
    [InlineData("tls_server_config:\n  cert_fiel: a.crt\n", "tls_server_config.cert_fiel: unknown key")]
    [InlineData("basic_auth_users:\n  admin: plaintext-password\n", "basic_auth_users.admin: is not a bcrypt hash")]
    [InlineData("basic_auth_user:\n  admin: x\n", "basic_auth_user: unknown key")]
    [InlineData("http_server_config:\n  http2: maybe\n", "http_server_config.http2: 'maybe'")]
    [InlineData("http_server_config:\n  headers:\n    Set-Cookie: a=b\n", "http_server_config.headers.Set-Cookie: cannot be set")]
    [InlineData("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "http_server_config.headers.X-Frame-Options: 'allow' is not allowed")]
    [InlineData("tls_server_config: [1]\n", "tls_server_config: must be a map")]
    [InlineData("a: [", "--web.config.file: line")]
    public void Invalid_files_name_the_key(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => WebConfigLoader.Parse(yaml, "/tmp", checkFiles: false));
        Assert.Contains(e.Problems, p => p.StartsWith("--web.config.file", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_hash_is_never_echoed_in_an_error()
    {
        var e = Assert.Throws<ConfigurationException>(() => WebConfigLoader.Parse("basic_auth_users:\n  admin: Plaintext-Secret-8812\n", "/tmp", checkFiles: false));
        Assert.DoesNotContain("Plaintext-Secret-8812", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_certificate_file_fails_with_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => WebConfigLoader.Parse("tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n", Tools.TempDirectory("web"), checkFiles: true));
        Assert.Contains(e.Problems, p => p.Contains("tls_server_config.cert_file: cannot load", StringComparison.Ordinal));
    }

    [Fact]
    public void Empty_file_and_empty_tls_section_serve_plain_http()
    {
        Assert.Null(WebConfigLoader.Parse(string.Empty, "/tmp", checkFiles: false).Tls);
        Assert.Null(WebConfigLoader.Parse("tls_server_config: {}\n", "/tmp", checkFiles: false).Tls);
    }

    [Fact]
    public void Cipher_suites_with_go_names_are_accepted_and_curve_preferences_warn()
    {
        var config = WebConfigLoader.Parse("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]\n  curve_preferences: [X25519]\n", "/etc/x", checkFiles: false);
        Assert.Equal(2, config.Tls!.CipherSuites!.Count);
        Assert.Equal("/etc/x/a.crt", config.Tls.CertFile);
        Assert.Contains(config.Warnings, w => w.Contains("curve_preferences", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_process_exits_with_code_2_naming_the_key()
    {
        var directory = Tools.TempDirectory("webexit");
        var path = Path.Combine(directory, "web.yml");
        await File.WriteAllTextAsync(path, "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS9\n");
        var dll = Tools.StockExecutableAssembly();
        await using var process = ExternalProcess.Start("dotnet", [dll, $"--web.listen-address=127.0.0.1:{Tools.FreePort()}"], environment: new Dictionary<string, string?> { ["EXPORTERS_WEB_CONFIG_FILE"] = path });
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the host did not exit");
        await Task.Delay(100);
        Assert.Equal(ExporterApplication.ConfigurationErrorExitCode, process.ExitCode);
        Assert.Contains("error: --web.config.file: tls_server_config.min_version: 'TLS9'", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_headers_are_on_every_response()
    {
        await using var host = await TestHost.StartAsync(webConfigYaml: "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n");
        using var client = host.Client();
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("deny", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
    }
}
