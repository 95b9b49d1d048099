using System.Net;
using System.Text;
using Exporters.Elasticsearch.Aws;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>Which source the chain picks from the environment, the errors for half-set or malformed settings, and caching.</summary>
public sealed class AwsCredentialChainTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Environment_keys_come_first_even_when_web_identity_and_container_are_set()
    {
        using var chain = Chain(new()
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDENV",
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["AWS_SESSION_TOKEN"] = Token,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web",
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc",
        });

        Assert.IsType<StaticCredentialsProvider>(chain.Selected);
        var credentials = await chain.GetCredentialsAsync(CancellationToken.None);
        Assert.Equal(("AKIDENV", Secret, Token, (DateTimeOffset?)null), (credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, credentials.Expiration));
    }

    [Fact]
    public void Legacy_key_variable_names_are_read_too()
    {
        using var chain = Chain(new() { ["AWS_ACCESS_KEY"] = "AKIDOLD", ["AWS_SECRET_KEY"] = Secret });
        Assert.IsType<StaticCredentialsProvider>(chain.Selected);
    }

    [Fact]
    public void Web_identity_comes_before_the_container_endpoint()
    {
        using var chain = Chain(new()
        {
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/token",
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web",
            ["AWS_ROLE_SESSION_NAME"] = "my-session",
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc",
        });

        var web = Assert.IsType<WebIdentityCredentialsProvider>(chain.Selected);
        Assert.Equal(("/token", "arn:aws:iam::123456789012:role/web", "my-session"), (web.TokenFile, web.RoleArn, web.SessionName));
    }

    [Fact]
    public void Web_identity_without_a_session_name_gets_one_naming_the_exporter()
    {
        using var chain = Chain(new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/token", ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web" });

        var web = Assert.IsType<WebIdentityCredentialsProvider>(chain.Selected);
        Assert.Equal("exporters-elasticsearch-" + Start.ToUnixTimeSeconds(), web.SessionName);
    }

    [Fact]
    public void Container_relative_uri_points_at_the_ecs_agent()
    {
        using var chain = Chain(new() { ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc" });

        var container = Assert.IsType<ContainerCredentialsProvider>(chain.Selected);
        Assert.Equal(new Uri("http://169.254.170.2/v2/credentials/abc"), container.Endpoint);
        Assert.False(container.SendsAuthorization);
    }

    [Theory]
    [InlineData("http://169.254.170.23/v1/credentials")]
    [InlineData("http://[fd00:ec2::23]/v1/credentials")]
    [InlineData("http://127.0.0.1:51679/creds")]
    [InlineData("http://localhost:51679/creds")]
    [InlineData("https://credentials.example.com/creds")]
    public void Container_full_uri_is_accepted_over_https_or_plain_http_to_the_agents(string uri)
    {
        using var chain = Chain(new() { ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = uri, ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token" });

        var container = Assert.IsType<ContainerCredentialsProvider>(chain.Selected);
        Assert.Equal(new Uri(uri), container.Endpoint);
        Assert.True(container.SendsAuthorization);
    }

    [Theory]
    [InlineData("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.8/creds", "plain http is allowed only to")]
    [InlineData("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/creds", "must be an absolute http:// or https:// URL")]
    [InlineData("AWS_CONTAINER_CREDENTIALS_FULL_URI", "not a url", "must be an absolute http:// or https:// URL")]
    [InlineData("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials", "must be a path starting with '/'")]
    public void Container_uri_mistakes_are_named(string variable, string value, string expected)
    {
        var error = Assert.Throws<AwsCredentialsException>(() => Chain(new() { [variable] = value }));
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID", "AKID", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")]
    [InlineData("AWS_SECRET_ACCESS_KEY", Secret, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")]
    [InlineData("AWS_WEB_IDENTITY_TOKEN_FILE", "/token", "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")]
    public void Half_set_sources_are_errors_not_fallthroughs(string variable, string value, string expected)
    {
        var error = Assert.Throws<AwsCredentialsException>(() => Chain(new() { [variable] = value, ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/x" }));
        Assert.Equal(expected, error.Message);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_source_at_all_names_every_variable_the_chain_reads()
    {
        var error = Assert.Throws<AwsCredentialsException>(() => Chain(new() { ["AWS_SESSION_TOKEN"] = Token }));

        foreach (var variable in (string[])["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"])
        {
            Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:user/bob")]
    [InlineData("role/web")]
    [InlineData("arn:aws:s3:::bucket")]
    public void A_malformed_role_arn_is_named(string arn)
    {
        var error = Assert.Throws<AwsCredentialsException>(() => Chain(new() { ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/token", ["AWS_ROLE_ARN"] = arn }));
        Assert.StartsWith("AWS_ROLE_ARN must be an IAM role ARN", error.Message, StringComparison.Ordinal);

        var onTop = Assert.Throws<AwsCredentialsException>(() => Chain(new() { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = Secret }, roleArn: arn));
        Assert.StartsWith("the role ARN to assume must be an IAM role ARN", onTop.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_on_top_wraps_the_chosen_source()
    {
        using var chain = Chain(new() { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = Secret }, roleArn: "arn:aws-cn:iam::123456789012:role/path/reader");

        Assert.IsType<StaticCredentialsProvider>(chain.Selected);
        Assert.NotNull(chain.AssumedRole);
        Assert.Equal("arn:aws-cn:iam::123456789012:role/path/reader", chain.AssumedRole.RoleArn);
        Assert.Equal(TimeSpan.FromHours(1), chain.AssumedRole.Duration);
        Assert.Equal("assumed role arn:aws-cn:iam::123456789012:role/path/reader on environment", chain.Description);
    }

    [Fact]
    public void Region_comes_from_the_setting_then_aws_region_then_aws_default_region()
    {
        var both = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_REGION"] = "eu-west-1", ["AWS_DEFAULT_REGION"] = "us-east-1" });
        Assert.Equal("ap-south-1", AwsSigV4.ResolveRegion(new AwsSigV4Settings { Region = "ap-south-1", Environment = both }));
        Assert.Equal("eu-west-1", AwsSigV4.ResolveRegion(new AwsSigV4Settings { Environment = both }));
        Assert.Equal("us-east-1", AwsSigV4.ResolveRegion(new AwsSigV4Settings { Environment = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_DEFAULT_REGION"] = "us-east-1" }) }));

        var none = Assert.Throws<AwsCredentialsException>(() => AwsSigV4.ResolveRegion(new AwsSigV4Settings { Environment = AwsEnvironment.FromDictionary(new Dictionary<string, string?>()) }));
        Assert.Equal("no AWS region: set the region option, AWS_REGION or AWS_DEFAULT_REGION", none.Message);
        Assert.Throws<AwsCredentialsException>(() => AwsSigV4.ResolveRegion(new AwsSigV4Settings { Region = "eu west 1" }));
    }

    [Fact]
    public void Handler_factory_from_region_role_and_environment_dictionary()
    {
        var environment = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = Secret };
        using var handler = AwsSigV4.CreateHandler("eu-central-1", "arn:aws:iam::123456789012:role/reader", environment, new SocketsHttpHandler());

        Assert.Equal(("eu-central-1", "es"), (handler.Signer.Region, handler.Signer.Service));
        var chain = Assert.IsType<AwsCredentialChain>(handler.Credentials);
        Assert.Equal("arn:aws:iam::123456789012:role/reader", chain.AssumedRole?.RoleArn);
        Assert.IsType<SocketsHttpHandler>(handler.InnerHandler);
    }

    [Theory]
    [InlineData("eu-west-1", null, null, "https://sts.eu-west-1.amazonaws.com/")]
    [InlineData("cn-north-1", null, null, "https://sts.cn-north-1.amazonaws.com.cn/")]
    [InlineData("eu-west-1", "https://sts.vpce.example/", "https://all.example/", "https://sts.vpce.example/")]
    [InlineData("eu-west-1", null, "http://localhost:4566", "http://localhost:4566/")]
    public void Sts_endpoint_is_regional_unless_overridden(string region, string? stsOverride, string? generalOverride, string expected)
    {
        var environment = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_STS"] = stsOverride, ["AWS_ENDPOINT_URL"] = generalOverride });
        Assert.Equal(new Uri(expected), StsClient.ResolveEndpoint(region, environment));
    }

    [Fact]
    public void A_malformed_sts_endpoint_override_is_named()
    {
        var error = Assert.Throws<AwsCredentialsException>(() => StsClient.ResolveEndpoint("eu-west-1", AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_STS"] = "sts.local" })));
        Assert.StartsWith("AWS_ENDPOINT_URL_STS must be an absolute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_print_without_secret_or_token()
    {
        var credentials = new AwsCredentials("ASIAEXAMPLE", Secret, Token, new DateTimeOffset(2025, 3, 4, 6, 0, 0, TimeSpan.Zero), "web identity (role arn:aws:iam::1:role/x)");

        var text = credentials.ToString();

        Assert.Equal("AWS credentials ASIAEXAMPLE from web identity (role arn:aws:iam::1:role/x) with a session token, expiring 2025-03-04T06:00:00Z", text);
        Assert.DoesNotContain(Secret, $"{credentials}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AKID", "secret\r\nX-Injected: 1", null, "the secret access key from environment contains")]
    [InlineData("AKID", "secret", "token\nX-Injected: 1", "the session token from environment contains")]
    [InlineData("AKID", " ", null, "the secret access key from environment is empty")]
    public void Credentials_that_would_break_a_header_are_refused_without_quoting_them(string keyId, string secret, string? token, string expected)
    {
        var error = Assert.Throws<AwsCredentialsException>(() => new AwsCredentials(keyId, secret, token, null, "environment"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Injected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_keeps_static_credentials_and_fetches_once()
    {
        var time = new ManualTime(Start);
        var source = new ScriptedProvider(time, _ => new AwsCredentials("AKID", Secret, null, null, "environment"));
        using var cache = new CachingCredentialsProvider(source, time);

        await cache.GetCredentialsAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(30));
        await cache.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Cache_refreshes_five_minutes_before_expiry()
    {
        var time = new ManualTime(Start);
        var source = new ScriptedProvider(time, n => new AwsCredentials($"ASIA{n}", Secret, Token, time.Now.AddHours(1), "sts"));
        using var cache = new CachingCredentialsProvider(source, time);

        Assert.Equal("ASIA1", (await cache.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal("ASIA1", (await cache.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("ASIA2", (await cache.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task Cache_rides_out_a_failed_refresh_while_the_old_credentials_last_then_fails()
    {
        var time = new ManualTime(Start);
        var failing = false;
        var source = new ScriptedProvider(time, n => failing
            ? throw new AwsCredentialsException("STS AssumeRoleWithWebIdentity for role arn:aws:iam::1:role/x: HTTP 503")
            : new AwsCredentials($"ASIA{n}", Secret, Token, time.Now.AddHours(1), "sts"));
        using var cache = new CachingCredentialsProvider(source, time);
        await cache.GetCredentialsAsync(CancellationToken.None);

        failing = true;
        time.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal("ASIA1", (await cache.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await cache.GetCredentialsAsync(CancellationToken.None));
        Assert.EndsWith("HTTP 503", error.Message, StringComparison.Ordinal);

        failing = false;
        Assert.Equal("ASIA4", (await cache.GetCredentialsAsync(CancellationToken.None)).AccessKeyId);
    }

    [Fact]
    public async Task Cache_refuses_credentials_that_have_already_expired()
    {
        var time = new ManualTime(Start);
        using var cache = new CachingCredentialsProvider(new ScriptedProvider(time, _ => new AwsCredentials("ASIA", Secret, Token, time.Now.AddMinutes(-1), "sts")), time);

        var error = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await cache.GetCredentialsAsync(CancellationToken.None));
        Assert.Contains("returned credentials that expired at 2025-03-04T04:59:00Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sts_answer_is_read_with_its_expiry()
    {
        const string Xml = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:monitoring:exporter</SubjectFromWebIdentityToken>
                <Audience>sts.amazonaws.com</Audience>
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/web/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
                <Credentials>
                  <SessionToken>FwoGZXIvYXdzEXAMPLE//+=</SessionToken>
                  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                  <Expiration>2025-03-04T06:00:00Z</Expiration>
                  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                </Credentials>
                <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X</Provider>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>
            """;

        var credentials = StsClient.ParseCredentials(Xml, "AssumeRoleWithWebIdentity", "web identity");

        Assert.Equal("ASIAIOSFODNN7EXAMPLE", credentials.AccessKeyId);
        Assert.Equal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", credentials.SecretAccessKey);
        Assert.Equal("FwoGZXIvYXdzEXAMPLE//+=", credentials.SessionToken);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 6, 0, 0, TimeSpan.Zero), credentials.Expiration);
    }

    [Theory]
    [InlineData("<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>", "STS AssumeRole answered without a Credentials element")]
    [InlineData("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey><Expiration>2025-03-04T06:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>", "STS AssumeRole answered without Credentials/SessionToken")]
    [InlineData("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>", "STS AssumeRole Credentials/Expiration is not an ISO 8601 time: 'soon'")]
    [InlineData("<AssumeRoleResponse><Credentials><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey><AccessKeyId>A<</AccessKeyId></Credentials>", "STS AssumeRole answered with malformed XML (line 1, position")]
    [InlineData("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r><Credentials><AccessKeyId>&x;</AccessKeyId></Credentials></r>", "STS AssumeRole answered with malformed XML")]
    public void Sts_answer_mistakes_are_named_without_quoting_the_secret(string xml, string expected)
    {
        var error = Assert.Throws<AwsCredentialsException>(() => StsClient.ParseCredentials(xml, "AssumeRole", "assumed role"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_answer_mistakes_are_named_without_quoting_secrets()
    {
        async Task<string> ErrorFor(HttpStatusCode status, string body, string? token = null)
        {
            using var http = new HttpClient(new FixedAnswer(status, body));
            using var provider = new ContainerCredentialsProvider(http, new Uri("http://127.0.0.1:1/creds?sig=abc"), token, null);
            var error = await Assert.ThrowsAsync<AwsCredentialsException>(async () => await provider.GetCredentialsAsync(CancellationToken.None));
            Assert.DoesNotContain("wJalrXUtnFEMI", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sig=abc", error.Message, StringComparison.Ordinal);
            return error.Message;
        }

        Assert.Equal("container credentials endpoint http://127.0.0.1:1/creds: the answer has no AccessKeyId", await ErrorFor(HttpStatusCode.OK, """{"SecretAccessKey":"wJalrXUtnFEMI"}"""));
        Assert.Equal("container credentials endpoint http://127.0.0.1:1/creds: the answer has no SecretAccessKey", await ErrorFor(HttpStatusCode.OK, """{"AccessKeyId":"A"}"""));
        Assert.StartsWith("container credentials endpoint http://127.0.0.1:1/creds: the answer is not valid JSON (at", await ErrorFor(HttpStatusCode.OK, """{"AccessKeyId":"A","SecretAccessKey":"wJalrXUtnFEMI" x}"""), StringComparison.Ordinal);
        Assert.Equal("container credentials endpoint http://127.0.0.1:1/creds: Expiration is not an ISO 8601 time: 'tomorrow'", await ErrorFor(HttpStatusCode.OK, """{"AccessKeyId":"A","SecretAccessKey":"wJalrXUtnFEMI","Token":"T","Expiration":"tomorrow"}"""));
        Assert.Equal("container credentials endpoint http://127.0.0.1:1/creds: HTTP 401: AccessDenied (bad token ***)", await ErrorFor(HttpStatusCode.Unauthorized, """{"code":"AccessDenied","message":"bad token Bearer-abcdef"}""", "Bearer-abcdef"));
        Assert.Equal("container credentials endpoint http://127.0.0.1:1/creds: HTTP 500", await ErrorFor(HttpStatusCode.InternalServerError, "<html>oops</html>"));
    }

    [Fact]
    public async Task Container_answer_is_read_case_insensitively()
    {
        using var http = new HttpClient(new FixedAnswer(HttpStatusCode.OK, """{"accessKeyId":"ASIA1","secretAccessKey":"s","token":"t","expiration":"2025-03-04T06:00:00.123+00:00","AccountId":"123456789012"}"""));
        using var provider = new ContainerCredentialsProvider(http, new Uri("http://169.254.170.23/v1/credentials"), "pod-identity-token", null);

        var credentials = await provider.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal(("ASIA1", "s", "t"), (credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 6, 0, 0, 123, TimeSpan.Zero), credentials.Expiration);
    }

    private static AwsCredentialChain Chain(Dictionary<string, string?> variables, string? roleArn = null) =>
        AwsCredentialChain.Create(
            new AwsSigV4Settings
            {
                Environment = AwsEnvironment.FromDictionary(variables),
                Time = new ManualTime(Start),
                RoleArn = roleArn,
                CredentialsHttpHandler = new FixedAnswer(HttpStatusCode.InternalServerError, string.Empty),
            },
            "eu-west-1");

    private sealed class ScriptedProvider(TimeProvider time, Func<int, AwsCredentials> next) : IAwsCredentialsProvider
    {
        public int Calls { get; private set; }

        public string Description => "scripted at " + time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(next(++Calls));
    }

    private sealed class FixedAnswer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
