using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Exporters.Hosting;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

/// <summary>
/// redis_exporter's web TLS and basic-auth flags, started as <c>redis_exporter</c>: they mean what they mean there,
/// served by the same machinery as <c>--web.config.file</c>.
/// </summary>
public class WebFlagTests
{
    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<(ExporterApplication App, int Port)> StartAsRedisExporterAsync(params string[] args)
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"-web.listen-address=127.0.0.1:{port}", "-redis.addr=redis://127.0.0.1:1", .. args], null);
        builder.ProgramName = "redis_exporter";
        var app = builder.Build();
        await app.StartAsync();
        return (app, port);
    }

    private static async Task StopAsync(ExporterApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Tls_server_flags_serve_https_and_a_ca_file_requires_a_client_certificate()
    {
        var certificates = await Certificates.CreateAsync();
        var (app, port) = await StartAsRedisExporterAsync($"-tls-server-cert-file={certificates.ServerCert}", $"-tls-server-key-file={certificates.ServerKey}");
        try
        {
            using var client = new HttpClient(certificates.Handler()) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            Assert.Contains("redis_up 0", await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app);
        }

        (app, port) = await StartAsRedisExporterAsync($"-tls-server-cert-file={certificates.ServerCert}", $"-tls-server-key-file={certificates.ServerKey}", $"-tls-server-ca-cert-file={certificates.CaFile}");
        try
        {
            using var anonymous = new HttpClient(certificates.Handler()) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
            using var known = new HttpClient(certificates.Handler(certificates.Client("client"))) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            Assert.Contains("redis_up 0", await known.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Fact]
    public async Task Tls_server_min_version_refuses_older_clients()
    {
        var certificates = await Certificates.CreateAsync();
        var (app, port) = await StartAsRedisExporterAsync($"-tls-server-cert-file={certificates.ServerCert}", $"-tls-server-key-file={certificates.ServerKey}", "-tls-server-min-version=TLS1.3");
        try
        {
            using var tls12 = new HttpClient(certificates.Handler(protocols: System.Security.Authentication.SslProtocols.Tls12)) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => tls12.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
            using var tls13 = new HttpClient(certificates.Handler(protocols: System.Security.Authentication.SslProtocols.Tls13)) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            Assert.Contains("redis_up", await tls13.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Basic_auth_flags_require_the_user_and_password_given_in_clear_or_hashed(bool hashed)
    {
        const string Password = "s3cret-Pa55";
        string passwordFlag;
        if (hashed)
        {
            await using var process = ExternalProcess.Start("htpasswd", ["-nbB", "-C", "5", "prom", Password]);
            Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await Task.Delay(50);
            passwordFlag = "-basic-auth-hash-password=" + process.Output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("prom:", StringComparison.Ordinal))["prom:".Length..];
        }
        else
        {
            passwordFlag = "-basic-auth-password=" + Password;
        }

        var (app, port) = await StartAsRedisExporterAsync("-basic-auth-username=prom", passwordFlag);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var anonymous = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = Basic("prom", "nope") } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = Basic("prom", Password) } };
            using var response = await client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(Password, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Fact]
    public void Conflicting_or_incomplete_web_flags_stop_start_up_naming_the_flag()
    {
        static string Fails(params string[] args)
        {
            var builder = StockExporter.Builder(args, null);
            builder.ProgramName = "redis_exporter";
            return Assert.ThrowsAny<Exception>(() => builder.Build()).Message;
        }

        Assert.Contains("--basic-auth-hash-password", Fails("-basic-auth-username=u", "-basic-auth-password=p", "-basic-auth-hash-password=$2y$05$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMNOPQ"), StringComparison.Ordinal);
        Assert.Contains("--tls-server-cert-file", Fails("-tls-server-key-file=/etc/hostname"), StringComparison.Ordinal);
        Assert.Contains("--tls-server-min-version", Fails("-tls-server-cert-file=/etc/hostname", "-tls-server-key-file=/etc/hostname", "-tls-server-min-version=TLS9"), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", Fails("-basic-auth-username=u", "-basic-auth-password=hunter2", "-basic-auth-hash-password=x"), StringComparison.Ordinal);
    }
}
