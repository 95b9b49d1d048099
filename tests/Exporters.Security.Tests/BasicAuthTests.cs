using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Exporters.Hosting.Security;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

public class BasicAuthTests
{
    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<string> HtpasswdAsync(string user, string password)
    {
        await using var process = ExternalProcess.Start("htpasswd", ["-nbB", "-C", "5", user, password]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        return process.Output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith(user + ":", StringComparison.Ordinal))[(user.Length + 1)..];
    }

    [Fact]
    public async Task Every_path_but_the_probes_needs_credentials_made_by_htpasswd()
    {
        var hash = await HtpasswdAsync("prometheus", "Scrape-Pa55-Ü");
        await using var host = await TestHost.StartAsync(
            "collectors:\n  sample:\n    address: 127.0.0.1:7000\n",
            $"basic_auth_users:\n  prometheus: '{hash}'\n  other: '{BcryptHashes.Hash("x", 4)}'\n");
        using var client = host.Client();

        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            using var open = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        foreach (var path in new[] { "/metrics", "/metrics/sample", "/", "/probe?target=x", "/nope" })
        {
            using var anonymous = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var reload = new HttpRequestMessage(HttpMethod.Post, "/-/reload");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(reload)).StatusCode);

        foreach (var (user, password) in new[] { ("prometheus", "scrape-Pa55-Ü"), ("prometheus", string.Empty), ("nobody", "Scrape-Pa55-Ü"), ("Prometheus", "Scrape-Pa55-Ü") })
        {
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            wrong.Headers.Authorization = Basic(user, password);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(wrong)).StatusCode);
        }

        foreach (var malformed in new[] { "Basic !!!", "Bearer abc", "Basic " + Convert.ToBase64String("no-colon"u8.ToArray()), "Basic " + Convert.ToBase64String(new byte[] { 0xff, 0x3a, 0xfe }) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.TryAddWithoutValidation("Authorization", malformed);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            right.Headers.Authorization = Basic("prometheus", "Scrape-Pa55-Ü");
            using var response = await client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("sample_build_info", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Successful_checks_are_cached_and_failures_and_unknown_users_are_not()
    {
        var authenticator = new BasicAuthenticator(new Dictionary<string, string> { ["u"] = BcryptHashes.Hash("right", 4) });
        Assert.True(authenticator.Check("u", "right"));
        Assert.Equal(1, authenticator.HashChecks);
        Assert.True(authenticator.Check("u", "right"));
        Assert.Equal(1, authenticator.HashChecks);

        Assert.False(authenticator.Check("u", "wrong"));
        Assert.False(authenticator.Check("u", "wrong"));
        Assert.Equal(3, authenticator.HashChecks);

        // An unknown user still costs one bcrypt computation, against the dummy hash.
        Assert.False(authenticator.Check("ghost", "right"));
        Assert.Equal(4, authenticator.HashChecks);
        Assert.False(authenticator.Check("ghost", "right"));
        Assert.Equal(5, authenticator.HashChecks);
    }

    [Fact]
    public void The_dummy_hash_has_the_cost_of_the_configured_users()
    {
        // Same cost → same work for an unknown user as for a known one. Count Blowfish setups rather than time them.
        var authenticator = new BasicAuthenticator(new Dictionary<string, string> { ["u"] = BcryptHashes.Hash("p", 6) });
        var field = typeof(BasicAuthenticator).GetField("_dummyHash", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.Equal(6, BcryptHashes.Cost((string)field.GetValue(authenticator)!));
    }

    [Theory]
    [InlineData("Basic dTpw", "u", "p")]
    [InlineData("basic dTpwOnE=", "u", "p:q")]
    [InlineData("Basic OnA=", "", "p")]
    public void Headers_are_parsed(string header, string user, string password)
    {
        Assert.True(BasicAuthenticator.TryParseHeader(header, out var u, out var p));
        Assert.Equal(user, u);
        Assert.Equal(password, p);
    }
}
