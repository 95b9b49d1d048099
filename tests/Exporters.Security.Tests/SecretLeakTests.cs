using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Exporters.Hosting.Security;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

/// <summary>
/// The host as a process, given a distinctive secret in every place one can be configured, driven through every
/// endpoint and error path; no response and no log line may contain any of them.
/// </summary>
public class SecretLeakTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["redis_password_env"] = "Lk1-redis-env-pw-70a1",
        ["redis_password_file"] = "Lk2-redis-file-pw-33c9",
        ["redis_uri"] = "Lk3-redis-uri-pw-9d04",
        ["redis_refused_uri"] = "Lk4-redis-refused-pw-1be2",
        ["es_password"] = "Lk5-es-pw-5f10",
        ["es_password_file"] = "Lk6-es-file-pw-8a27",
        ["es_api_key"] = "Lk7-es-apikey-c4e8",
        ["es_api_key_file"] = "Lk8-es-apikey-file-2d6b",
        ["es_bearer_token"] = "Lk9-es-token-e713",
        ["es_bearer_token_file"] = "Lk10-es-token-file-47fa",
        ["es_uri"] = "Lk11-es-uri-pw-b052",
        ["alertmanager_uri"] = "Lk12-am-uri-pw-6c3e",
        ["passthrough_uri"] = "Lk13-pt-uri-pw-0f8d",
        ["web_password"] = "Lk14-web-pw-a9b1",
        ["web_wrong_password"] = "Lk15-web-wrong-pw-d2c0",
        ["probe_refused_target"] = "Lk16-probe-pw-3e77",
        ["probe_forbidden_target"] = "Lk17-probe-forbidden-pw-88aa",
        ["probe_es_target"] = "Lk18-probe-es-pw-1c5d",
        ["bad_reload_password"] = "Lk19-bad-reload-pw-6b02",
        ["redis_server_password"] = "Lk20-redis-server-pw-f3a9",
    };

    [Fact]
    public async Task No_secret_appears_in_any_response_or_log_line()
    {
        var directory = Tools.TempDirectory("leak");
        var redisPort = Tools.FreePort();
        await using var redis = ExternalProcess.Start("redis-server", ["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--requirepass", Secrets["redis_server_password"]], directory);
        await redis.WaitForPortAsync(redisPort);
        await using var es = new ScriptedHttpServer(_ => new ScriptedResponse(401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate\"},\"status\":401}"));
        await using var alertmanager = new ScriptedHttpServer(_ => new ScriptedResponse(500, "internal error", "text/plain"));
        await using var passthrough = new ScriptedHttpServer(_ => new ScriptedResponse(200, "# TYPE app_requests_total counter\napp_requests_total 3\n", "text/plain; version=0.0.4"));
        var closedPort = Tools.FreePort();

        await File.WriteAllTextAsync(Path.Combine(directory, "redis-pw"), Secrets["redis_password_file"] + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "es-pw"), Secrets["es_password_file"] + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "es-key"), Secrets["es_api_key_file"] + "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "es-token"), Secrets["es_bearer_token_file"] + "\n");
        var configPath = Path.Combine(directory, "config.yaml");
        await File.WriteAllTextAsync(configPath, $"""
            probe:
              enabled: true
              allowed_targets: ["127.0.0.1:*"]
            collectors:
              redis:
                address: redis://127.0.0.1:{redisPort}
              redis_file:
                type: redis
                address: redis://127.0.0.1:{redisPort}
                password_file: {directory}/redis-pw
              redis_uri:
                type: redis
                address: redis://default:{Secrets["redis_uri"]}@127.0.0.1:{redisPort}
              redis_refused:
                type: redis
                address: redis://:{Secrets["redis_refused_uri"]}@127.0.0.1:{closedPort}
              es_basic:
                type: elasticsearch
                uri: {es.BaseUri}
                username: elastic
                password: {Secrets["es_password"]}
              es_basic_file:
                type: elasticsearch
                uri: {es.BaseUri}
                username: elastic
                password_file: {directory}/es-pw
              es_key:
                type: elasticsearch
                uri: {es.BaseUri}
                api_key: {Secrets["es_api_key"]}
              es_key_file:
                type: elasticsearch
                uri: {es.BaseUri}
                api_key_file: {directory}/es-key
              es_token:
                type: elasticsearch
                uri: {es.BaseUri}
                bearer_token: {Secrets["es_bearer_token"]}
              es_token_file:
                type: elasticsearch
                uri: {es.BaseUri}
                bearer_token_file: {directory}/es-token
              es_uri:
                type: elasticsearch
                uri: http://elastic:{Secrets["es_uri"]}@127.0.0.1:{es.Port}
              alertmanager:
                uri: http://admin:{Secrets["alertmanager_uri"]}@127.0.0.1:{alertmanager.Port}
              passthrough:
                uri: http://scraper:{Secrets["passthrough_uri"]}@127.0.0.1:{passthrough.Port}/metrics
            """);
        var webPath = Path.Combine(directory, "web.yaml");
        await File.WriteAllTextAsync(webPath, $"basic_auth_users:\n  prometheus: '{BcryptHashes.Hash(Secrets["web_password"], 4)}'\n");

        var port = Tools.FreePort();
        var dll = Tools.StockExecutableAssembly();
        await using var host = ExternalProcess.Start(
            "dotnet",
            [dll, $"--web.listen-address=127.0.0.1:{port}", $"--config.file={configPath}", $"--web.config.file={webPath}", "--log.level=debug", "--config.check-interval=200ms"],
            directory,
            new Dictionary<string, string?> { ["REDIS_PASSWORD"] = Secrets["redis_password_env"] });
        await host.WaitForPortAsync(port);

        var responses = new StringBuilder();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        async Task<HttpStatusCode> Drive(HttpMethod method, string path, string? password = null, string user = "prometheus", string? accept = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (password is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            }

            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var response = await client.SendAsync(request);
            responses.Append(CultureInfo($"{method} {path.Split('?')[0]} → {(int)response.StatusCode}\n{response.Headers}{response.Content.Headers}\n"));
            responses.Append(await response.Content.ReadAsStringAsync()).Append('\n');
            return response.StatusCode;
        }

        var pw = Secrets["web_password"];
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/readyz"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Drive(HttpMethod.Get, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Drive(HttpMethod.Get, "/metrics", Secrets["web_wrong_password"]));
        Assert.Equal(HttpStatusCode.Unauthorized, await Drive(HttpMethod.Get, "/metrics", pw, user: Secrets["web_wrong_password"]));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/metrics", pw));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/metrics", pw, accept: "application/openmetrics-text; version=1.0.0"));
        foreach (var instance in new[] { "redis", "redis_file", "redis_uri", "redis_refused", "es_basic", "es_basic_file", "es_key", "es_key_file", "es_token", "es_token_file", "es_uri", "alertmanager", "passthrough" })
        {
            Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/metrics/" + instance, pw));
        }

        Assert.Equal(HttpStatusCode.NotFound, await Drive(HttpMethod.Get, "/metrics/nope", pw));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/", pw));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, $"/probe?collector=redis&target={Uri.EscapeDataString($"redis://:{Secrets["probe_refused_target"]}@127.0.0.1:{closedPort}")}", pw));
        Assert.Equal(HttpStatusCode.Forbidden, await Drive(HttpMethod.Get, $"/probe?collector=redis&target={Uri.EscapeDataString($"redis://:{Secrets["probe_forbidden_target"]}@10.11.12.13:6379")}", pw));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, $"/probe?collector=es_basic&target={Uri.EscapeDataString($"http://elastic:{Secrets["probe_es_target"]}@127.0.0.1:{es.Port}")}", pw));
        Assert.Equal(HttpStatusCode.BadRequest, await Drive(HttpMethod.Get, "/probe?collector=nope&target=127.0.0.1:1", pw));

        // A configuration that cannot load, carrying a new secret: the reload error names keys, never values.
        await File.WriteAllTextAsync(configPath, $"collectors:\n  redis:\n    password: {Secrets["bad_reload_password"]}\n    no_such_key: 1\n");
        Assert.Equal(HttpStatusCode.InternalServerError, await Drive(HttpMethod.Post, "/-/reload", pw));
        await Task.Delay(1000);
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/metrics", pw));
        Assert.Equal(HttpStatusCode.OK, await Drive(HttpMethod.Get, "/", pw));

        // The secrets did reach the targets, so the paths that could leak them were exercised.
        var sentToEs = string.Join('\n', es.ReceivedHeaders);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("elastic:" + Secrets["es_password"])), sentToEs, StringComparison.Ordinal);
        Assert.Contains(Secrets["es_bearer_token_file"], sentToEs, StringComparison.Ordinal);
        Assert.Contains("reload", host.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("authentication failed", host.Output, StringComparison.Ordinal);

        var logs = host.Output;
        var everything = responses + "\n" + logs;
        var leaks = Secrets.Where(s => everything.Contains(s.Value, StringComparison.Ordinal)).Select(s => s.Key).ToList();
        Assert.True(leaks.Count == 0, $"secrets found in output: {string.Join(", ", leaks)}\n--- responses and logs ---\n{everything}");
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
