using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Exporters.TestSupport;
using static Exporters.Deploy.Tests.Kit;

namespace Exporters.Deploy.Tests;

/// <summary>
/// The HTTPS and basic-authentication variant (deploy/examples/redis-web-tls): the exporter started with the
/// example's flags and web configuration (with a real certificate in place of the placeholder) is scraped by a real
/// Prometheus configured as its ServiceMonitor says, while the kubelet's probes still get through without
/// credentials.
/// </summary>
public sealed class WebTlsTests
{
    [Fact]
    public async Task The_service_monitor_s_tls_and_basic_auth_scrape_the_exporter_and_the_probes_need_no_credentials()
    {
        var documents = ParseDocuments(await KustomizeAsync("redis-web-tls"));
        var workload = documents.Single(d => Kind(d) == "StatefulSet");
        var container = ManifestTests.AllContainers(Map(workload, "spec", "template", "spec")).Single(c => Str(c.Container, "name") == "exporter").Container;
        var endpoint = List(documents.Single(d => Kind(d) == "ServiceMonitor"), "spec", "endpoints").OfType<Dictionary<string, object?>>().Single();
        Assert.Equal("https", Str(endpoint, "scheme"));
        var client = documents.Single(d => Kind(d) == "Secret" && Name(d) == Str(endpoint, "basicAuth", "username", "name"));
        var username = SecretValue(client, Str(endpoint, "basicAuth", "username", "key")!);
        var password = SecretValue(client, Str(endpoint, "basicAuth", "password", "key")!);
        var serverName = Str(endpoint, "tlsConfig", "serverName")!;

        // A CA and a certificate for the ServiceMonitor's serverName, in place of the example's placeholders.
        var directory = Tools.TempDirectory("web-tls");
        await OpensslAsync(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.crt");
        await OpensslAsync(directory, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + serverName, "-addext", "subjectAltName=DNS:" + serverName, "-keyout", "tls.key", "-out", "tls.csr");
        await OpensslAsync(directory, "x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-copy_extensions", "copy", "-out", "tls.crt");

        var webArgument = List(container, "args").OfType<string>().Single(a => a.StartsWith("--web.config.file=", StringComparison.Ordinal));
        var mountPath = Path.GetDirectoryName(webArgument["--web.config.file=".Length..])!;
        var server = documents.Single(d => Kind(d) == "Secret" && Name(d).StartsWith("exporters-web-", StringComparison.Ordinal) && Map(d, "data").ContainsKey("web-config.yml"));
        var webConfig = SecretValue(server, "web-config.yml").Replace(mountPath + "/", directory + "/", StringComparison.Ordinal);
        var webConfigPath = Path.Combine(directory, "web-config.yml");
        await File.WriteAllTextAsync(webConfigPath, webConfig);
        var configPath = Path.Combine(directory, "config.yaml");
        await File.WriteAllTextAsync(configPath, ManifestTests.ConfigFile(container, documents));

        var port = Tools.FreePort();
        var args = List(container, "args").OfType<string>()
            .Where(a => !a.StartsWith("--web.listen-address", StringComparison.Ordinal))
            .Select(a => a.StartsWith("--config.file=", StringComparison.Ordinal) ? "--config.file=" + configPath
                : a.StartsWith("--web.config.file=", StringComparison.Ordinal) ? "--web.config.file=" + webConfigPath : a)
            .Append($"--web.listen-address=127.0.0.1:{port}")
            .ToArray();
        var app = StockExporter.Builder(args, new Dictionary<string, string?>()).Build();
        Assert.Null(app.Output);
        await app.StartAsync();
        try
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "ca.crt"));
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(certificate) && certificate.MatchesHostname(serverName);
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
            foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
            {
                Assert.Equal("HTTPS", Str(container, probe, "httpGet", "scheme"));
                using var response = await http.GetAsync(new Uri(Str(container, probe, "httpGet", "path")!, UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using (var anonymous = await http.GetAsync(new Uri(Str(endpoint, "path")!, UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Str(endpoint, "path")!, UriKind.Relative)))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
                using var authorised = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
            }

            // Prometheus with the ServiceMonitor's scheme, CA, server name and basic authentication.
            await File.WriteAllTextAsync(Path.Combine(directory, "password"), password);
            var prometheusPort = Tools.FreePort();
            var prometheusConfig = $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: redis
                    metrics_path: {Str(endpoint, "path")}
                    scheme: https
                    tls_config:
                      ca_file: {Path.Combine(directory, "ca.crt")}
                      server_name: {serverName}
                    basic_auth:
                      username: {username}
                      password_file: {Path.Combine(directory, "password")}
                    static_configs:
                      - targets: ['127.0.0.1:{port}']
                """;
            await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), prometheusConfig);
            await using var prometheus = ExternalProcess.Start("prometheus",
            [
                "--config.file=" + Path.Combine(directory, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(directory, "tsdb"),
                $"--web.listen-address=127.0.0.1:{prometheusPort}", "--log.level=warn",
            ]);
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}") };
            await WaitForPrometheusAsync(prometheus, api, prometheusPort);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string targets;
            while (true)
            {
                targets = await api.GetStringAsync(new Uri("/api/v1/targets", UriKind.Relative));
                if (targets.Contains("\"health\":\"up\"", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.True(targets.Contains("\"health\":\"up\"", StringComparison.Ordinal), targets);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static string SecretValue(Dictionary<string, object?> secret, string key) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(Str(secret, "data", key) ?? throw new InvalidOperationException($"Secret {Name(secret)} has no key {key}")));

    private static async Task OpensslAsync(string directory, params string[] arguments)
    {
        var process = ExternalProcess.Start("openssl", arguments, directory);
        await using (process)
        {
            Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "openssl did not finish");
            Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)}:\n{process.Output}");
        }
    }
}
