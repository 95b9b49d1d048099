using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Exporters.Elasticsearch.Aws;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>
/// The handler and credential chain against local stand-ins on 127.0.0.1 (Kestrel): an OpenSearch endpoint that
/// verifies each signature independently and answers 200 or 403, an STS and a container credentials endpoint that
/// issue keys the OpenSearch stand-in then accepts. Nothing reaches AWS.
/// </summary>
public sealed class AwsSigV4EndToEndTests : IAsyncLifetime, IDisposable
{
    private const string Region = "eu-west-1";
    private const string RoleArn = "arn:aws:iam::123456789012:role/web";
    private readonly ManualTime _time = new(new DateTimeOffset(2025, 3, 4, 5, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("sigv4-").FullName;
    private OpenSearchStub _search = null!;
    private StsStub _sts = null!;
    private ContainerCredentialsStub _container = null!;

    public async Task InitializeAsync()
    {
        _search = await OpenSearchStub.StartAsync(Region, _time);
        _sts = await StsStub.StartAsync(_time, _search.Verifier, Region);
        _container = await ContainerCredentialsStub.StartAsync(_time, _search.Verifier);
    }

    public async Task DisposeAsync()
    {
        await _search.DisposeAsync();
        await _sts.DisposeAsync();
        await _container.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Environment_keys_sign_requests_the_server_accepts()
    {
        _search.Verifier.Accept("AKIDENV", "env-secret");
        using var client = Client(new() { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" });

        // What the collector sends: paths and queries with '*', ',' and '.', and one with a body for good measure.
        foreach (var path in (string[])["/", "/_cluster/health", "/_nodes/_local/stats", "/_all/_stats?level=shards", "/_cat/indices?format=json&bytes=b&h=index,health", "/*/_settings?filter_path=*.settings.index.number_of_replicas", "/_data_stream/*/_stats", "/my index/_stats"])
        {
            using var response = await client.GetAsync(new Uri(_search.BaseUri, path));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var post = await client.PostAsync(new Uri(_search.BaseUri, "/logs-*/_search"), new StringContent("""{"size":0}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.All(_search.Seen, v => Assert.Equal("AKIDENV", v.AccessKeyId));
        Assert.Contains(_search.Seen, v => v.SignedHeaders == "content-type;host;x-amz-date");
    }

    [Fact]
    public async Task Environment_session_token_is_sent_and_signed()
    {
        _search.Verifier.Accept("ASIAENV", "env-secret", "env-session-token");
        using var client = Client(new() { ["AWS_ACCESS_KEY_ID"] = "ASIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret", ["AWS_SESSION_TOKEN"] = "env-session-token" });

        using var response = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(_search.Seen);
        Assert.Equal(("env-session-token", "host;x-amz-date;x-amz-security-token"), (seen.SessionToken, seen.SignedHeaders));
    }

    [Fact]
    public async Task The_server_refuses_a_wrong_secret_region_service_or_clock()
    {
        _search.Verifier.Accept("AKIDENV", "env-secret");
        var keys = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" };

        async Task<string> Refusal(Dictionary<string, string?> environment, string region = Region, string service = "es")
        {
            using var client = Client(environment, region: region, service: service);
            using var response = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health"));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("signature mismatch", await Refusal(new() { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "other-secret" }), StringComparison.Ordinal);
        Assert.Contains("is not eu-west-1/es", await Refusal(keys, region: "us-east-1"), StringComparison.Ordinal);
        Assert.Contains("is not eu-west-1/es", await Refusal(keys, service: "aoss"), StringComparison.Ordinal);

        // Signed ten minutes ago by the shared clock: an AWS endpoint allows five.
        _time.Advance(TimeSpan.FromMinutes(10));
        using var stale = new HttpRequestMessage(HttpMethod.Get, new Uri(_search.BaseUri, "/"));
        await new SigV4Signer(Region, "es").SignAsync(stale, new AwsCredentials("AKIDENV", "env-secret", null, null, "t"), _time.Now.AddMinutes(-10), false, CancellationToken.None);
        using var plain = new HttpClient();
        using var refused = await plain.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("5 minutes", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Web_identity_token_file_is_exchanged_at_sts_and_read_again_on_refresh()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.first\n");
        _sts.ExpectedWebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.first";
        _sts.ExpectedSessionName = "exporter-pod";
        using var client = Client(new()
        {
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
            ["AWS_ROLE_ARN"] = RoleArn,
            ["AWS_ROLE_SESSION_NAME"] = "exporter-pod",
            ["AWS_ENDPOINT_URL_STS"] = _sts.BaseUri.ToString(),
        });

        using (var first = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health")))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The kubelet rotates the token; the cached keys serve until 5 minutes before they expire.
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.second");
        _sts.ExpectedWebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.second";
        _time.Advance(TimeSpan.FromMinutes(50));
        using (var cached = await client.GetAsync(new Uri(_search.BaseUri, "/_nodes/stats")))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        using (var refreshed = await client.GetAsync(new Uri(_search.BaseUri, "/_nodes/stats")))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        Assert.Equal(
            [("AssumeRoleWithWebIdentity", RoleArn, "exporter-pod", "eyJhbGciOiJSUzI1NiJ9.first", null), ("AssumeRoleWithWebIdentity", RoleArn, "exporter-pod", "eyJhbGciOiJSUzI1NiJ9.second", null)],
            _sts.Calls.Select(c => (c.Action, c.RoleArn, c.SessionName, c.Token, c.SignedBy)));
        Assert.Equal(["ASIAWEB1", "ASIAWEB1", "ASIAWEB2"], _search.Seen.Select(v => v.AccessKeyId));
        Assert.Equal(["asiaweb-token-1/+=", "asiaweb-token-1/+=", "asiaweb-token-2/+="], _search.Seen.Select(v => v.SessionToken));
    }

    [Fact]
    public async Task A_rejected_web_identity_token_fails_the_request_with_the_sts_code_and_without_the_token()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.expired");
        _sts.ExpectedWebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.current";
        using var client = Client(new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile, ["AWS_ROLE_ARN"] = RoleArn }, stsEndpoint: _sts.BaseUri);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_search.BaseUri, "/")));

        Assert.StartsWith($"AWS credentials: STS AssumeRoleWithWebIdentity for role {RoleArn} at {_sts.BaseUri}: HTTP 400: InvalidIdentityToken (Token *** is not valid)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("expired", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_search.Seen);
    }

    [Fact]
    public async Task A_missing_web_identity_token_file_is_named()
    {
        var tokenFile = Path.Combine(_directory, "absent");
        using var client = Client(new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile, ["AWS_ROLE_ARN"] = RoleArn }, stsEndpoint: _sts.BaseUri);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_search.BaseUri, "/")));

        Assert.Equal($"AWS credentials: cannot read the web identity token file '{tokenFile}' (AWS_WEB_IDENTITY_TOKEN_FILE): FileNotFoundException", error.Message);
        Assert.Empty(_sts.Calls);
    }

    [Fact]
    public async Task Container_full_uri_with_a_token_file_that_rotates()
    {
        var tokenFile = Path.Combine(_directory, "eks-pod-identity-token");
        await File.WriteAllTextAsync(tokenFile, "pod-identity-token-1\n");
        _container.ExpectedAuthorization = "pod-identity-token-1";
        using var client = Client(new()
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = new Uri(_container.BaseUri, "/v1/credentials").ToString(),
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile,
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-the-file-is-set",
        });

        using (var first = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health")))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await File.WriteAllTextAsync(tokenFile, "pod-identity-token-2\n");
        _container.ExpectedAuthorization = "pod-identity-token-2";
        _time.Advance(TimeSpan.FromHours(6) - TimeSpan.FromMinutes(4));
        using (var refreshed = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health")))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        Assert.Equal([("/v1/credentials", "pod-identity-token-1"), ("/v1/credentials", "pod-identity-token-2")], _container.Calls);
        Assert.Equal(["ASIATASK1", "ASIATASK2"], _search.Seen.Select(v => v.AccessKeyId));
        Assert.Equal(["task-token-1", "task-token-2"], _search.Seen.Select(v => v.SessionToken));
    }

    [Fact]
    public async Task Container_relative_uri_without_a_token()
    {
        using var client = Client(new() { ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/6b1d1a1c-task" }, containerBase: _container.BaseUri);

        using var response = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([("/v2/credentials/6b1d1a1c-task", (string?)null)], _container.Calls);
    }

    [Fact]
    public async Task Container_endpoint_refusing_the_token_fails_the_request_without_echoing_it()
    {
        _container.ExpectedAuthorization = "the-right-token";
        using var client = Client(new()
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = new Uri(_container.BaseUri, "/v1/credentials").ToString(),
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "a-wrong-token",
        });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_search.BaseUri, "/")));

        Assert.Equal($"AWS credentials: container credentials endpoint {_container.BaseUri}v1/credentials: HTTP 401: AccessDenied (bad token ***)", error.Message);
        Assert.DoesNotContain("a-wrong-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_is_assumed_on_top_of_environment_keys_with_a_signed_sts_call()
    {
        // STS knows the base keys; OpenSearch only the role's, so a 200 proves the request used the role.
        _sts.SignedCalls.Accept("AKIDBASE", "base-secret");
        _sts.AllowedRoles.Add("arn:aws:iam::123456789012:role/reader");
        _sts.ExpectedSessionName = "exporter";
        using var client = Client(
            new() { ["AWS_ACCESS_KEY_ID"] = "AKIDBASE", ["AWS_SECRET_ACCESS_KEY"] = "base-secret", ["AWS_ENDPOINT_URL_STS"] = _sts.BaseUri.ToString() },
            roleArn: "arn:aws:iam::123456789012:role/reader",
            roleSessionName: "exporter");

        using var response = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([("AssumeRole", "arn:aws:iam::123456789012:role/reader", "exporter", (string?)null, "AKIDBASE")], _sts.Calls.Select(c => (c.Action, c.RoleArn, c.SessionName, c.Token, c.SignedBy)));
        Assert.Equal("ASIAROLE1", Assert.Single(_search.Seen).AccessKeyId);
    }

    [Fact]
    public async Task A_role_is_assumed_on_top_of_web_identity()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJ.web");
        _sts.ExpectedWebIdentityToken = "eyJ.web";
        _sts.AllowedRoles.Add("arn:aws:iam::210987654321:role/cross-account-reader");
        using var client = Client(
            new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile, ["AWS_ROLE_ARN"] = RoleArn, ["AWS_ENDPOINT_URL_STS"] = _sts.BaseUri.ToString() },
            roleArn: "arn:aws:iam::210987654321:role/cross-account-reader");

        using var response = await client.GetAsync(new Uri(_search.BaseUri, "/_cluster/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [("AssumeRoleWithWebIdentity", RoleArn, null), ("AssumeRole", "arn:aws:iam::210987654321:role/cross-account-reader", "ASIAWEB1")],
            _sts.Calls.Select(c => (c.Action, c.RoleArn, c.SignedBy)));
        Assert.Equal("ASIAROLE2", Assert.Single(_search.Seen).AccessKeyId);
    }

    [Fact]
    public async Task A_role_the_base_keys_may_not_assume_is_reported_with_the_sts_code()
    {
        _sts.SignedCalls.Accept("AKIDBASE", "base-secret");
        using var client = Client(new() { ["AWS_ACCESS_KEY_ID"] = "AKIDBASE", ["AWS_SECRET_ACCESS_KEY"] = "base-secret" }, roleArn: "arn:aws:iam::123456789012:role/reader", stsEndpoint: _sts.BaseUri);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(_search.BaseUri, "/")));

        Assert.Equal($"AWS credentials: STS AssumeRole for role arn:aws:iam::123456789012:role/reader at {_sts.BaseUri}: HTTP 403: AccessDenied (Not authorized to perform sts:AssumeRole)", error.Message);
        Assert.DoesNotContain("base-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_check_fetches_credentials_before_the_first_scrape()
    {
        _container.ExpectedAuthorization = null;
        using var handler = AwsSigV4.CreateHandler(
            new AwsSigV4Settings { Region = Region, Time = _time, ContainerRelativeBase = _container.BaseUri, Environment = Env(new() { ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/creds" }) },
            new SocketsHttpHandler());

        var credentials = await handler.CheckCredentialsAsync(CancellationToken.None);

        Assert.Equal("AWS credentials ASIATASK1 from container credentials endpoint " + _container.BaseUri + "creds with a session token, expiring 2025-03-04T11:00:00Z", credentials.ToString());
    }

    private static AwsEnvironment Env(Dictionary<string, string?> variables) => AwsEnvironment.FromDictionary(variables);

    // Built the way EsHttp builds its client (SocketsHttpHandler with decompression, JSON Accept, a User-Agent),
    // with the signing handler in front.
    private HttpClient Client(Dictionary<string, string?> environment, string region = Region, string service = "es", string? roleArn = null, string? roleSessionName = null, Uri? stsEndpoint = null, Uri? containerBase = null)
    {
        var sockets = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        var handler = AwsSigV4.CreateHandler(
            new AwsSigV4Settings
            {
                Region = region,
                Service = service,
                RoleArn = roleArn,
                RoleSessionName = roleSessionName,
                Environment = Env(environment),
                Time = _time,
                StsEndpoint = stsEndpoint,
                ContainerRelativeBase = containerBase,
            },
            sockets);
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("exporters-elasticsearch", "1"));
        return client;
    }
}
