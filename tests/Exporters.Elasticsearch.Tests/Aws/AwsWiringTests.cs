using Exporters.Elasticsearch.Aws;
using Exporters.Testing;
using Microsoft.AspNetCore.Http;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>AWS variables for tests: the chain reads these instead of the process environment.</summary>
internal static class AwsTestEnvironment
{
    public static AwsEnvironment Empty() => AwsEnvironment.FromDictionary(new Dictionary<string, string?>());

    public static AwsEnvironment Keys(string keyId = "AKIDEXAMPLE", string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY") =>
        AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = keyId, ["AWS_SECRET_ACCESS_KEY"] = secret });
}

/// <summary>
/// AWS SigV4 through the collector and the host: <c>--aws.region</c> and <c>--aws.role-arn</c> sign every request
/// with credentials from the chain, against the local stand-ins of AwsStubs.cs (an OpenSearch Service endpoint that
/// verifies each signature independently, STS, the container credentials endpoint). Nothing reaches AWS.
/// </summary>
public sealed class AwsWiringTests : IAsyncLifetime, IDisposable
{
    private const string Region = "eu-west-1";
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly string _directory = Directory.CreateTempSubdirectory("es-aws-").FullName;
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

    private string SearchUri => _search.BaseUri.ToString().TrimEnd('/');

    [Fact]
    public async Task Every_request_of_a_scrape_is_signed_and_no_basic_auth_is_sent()
    {
        _search.Verifier.Accept("AKIDENV", "env-secret");
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIDENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret" }) };
        var settings = new Dictionary<string, string?>
        {
            ["uri"] = "http://monitor:uri-password@" + _search.BaseUri.Authority,
            ["username"] = "monitor",
            ["password"] = "configured-password",
            ["aws:region"] = Region,
            ["collectors:indices"] = "true",
            ["collectors:cluster_settings"] = "true",
        };
        await using var harness = CollectorHarness.Create(definition, settings, timeProvider: _time);
        var text = CollectorHarness.Render((await harness.ScrapeAsync()).Batch);

        // The stand-in answers 403 to anything but a valid signature, so success means every request was signed.
        Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
        foreach (var collector in (string[])["cluster-info", "cluster-health", "nodes", "indices", "shards", "aliases", "cluster-settings"])
        {
            Assert.Equal(1, TestSupport.Value(text, $"elasticsearch_scrape_success{{collector=\"{collector}\"}}"));
        }

        Assert.Equal(1, TestSupport.Value(text, $"elasticsearch_clusterinfo_up{{url=\"http://{_search.BaseUri.Authority}\"}}"));
        Assert.True(_search.Seen.Count >= 8, $"{_search.Seen.Count} requests");
        Assert.All(_search.Seen, v => Assert.Null(v.Refusal));
        Assert.All(_search.Seen, v => Assert.Equal("AKIDENV", v.AccessKeyId));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("signed with AWS SigV4, so the configured user name, password, API key or bearer token is not sent", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logger.Lines, l => l.Contains("password", StringComparison.Ordinal) && l.Contains("configured-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_aws_flags_sign_through_the_host_with_a_role_assumed_on_environment_keys()
    {
        // STS knows the base keys; the stand-in only the role's, so elasticsearch_up 1 proves the role was used.
        _sts.SignedCalls.Accept("AKIDBASE", "base-secret");
        _sts.AllowedRoles.Add("arn:aws:iam::123456789012:role/monitoring");
        var aws = AwsEnvironment.FromDictionary(new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = "AKIDBASE",
            ["AWS_SECRET_ACCESS_KEY"] = "base-secret",
            ["AWS_ENDPOINT_URL_STS"] = _sts.BaseUri.ToString(),
        });

        var text = await DropInHost.ScrapeAsync([$"--es.uri={SearchUri}", $"--aws.region={Region}", "--aws.role-arn=arn:aws:iam::123456789012:role/monitoring"], [], aws: aws, time: _time);

        Assert.Contains("elasticsearch_up 1", text, StringComparison.Ordinal);
        Assert.Equal([("AssumeRole", "arn:aws:iam::123456789012:role/monitoring", "AKIDBASE")], _sts.Calls.Select(c => (c.Action, c.RoleArn, c.SignedBy)));
        Assert.NotEmpty(_search.Seen);
        Assert.All(_search.Seen, v => Assert.Equal(("ASIAROLE1", (string?)null), (v.AccessKeyId, v.Refusal)));
    }

    [Fact]
    public async Task A_web_identity_token_file_signs_through_the_host_as_on_eks()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.pod");
        _sts.ExpectedWebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.pod";
        var aws = AwsEnvironment.FromDictionary(new Dictionary<string, string?>
        {
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web",
            ["AWS_REGION"] = Region,
            ["AWS_ENDPOINT_URL_STS"] = _sts.BaseUri.ToString(),
        });

        // --aws.region given, its value the same as AWS_REGION (the region could come from either).
        var text = await DropInHost.ScrapeAsync([$"--es.uri={SearchUri}", $"--aws.region={Region}"], [], aws: aws, time: _time);

        Assert.Contains("elasticsearch_up 1", text, StringComparison.Ordinal);
        Assert.Equal(["AssumeRoleWithWebIdentity"], _sts.Calls.Select(c => c.Action));
        Assert.All(_search.Seen, v => Assert.Equal(("ASIAWEB1", (string?)null), (v.AccessKeyId, v.Refusal)));
    }

    [Fact]
    public async Task Container_credentials_sign_requests_and_a_refusal_fails_the_scrape_without_the_token()
    {
        var tokenFile = Path.Combine(_directory, "container-token");
        await File.WriteAllTextAsync(tokenFile, "container-token-secret");
        _container.ExpectedAuthorization = "container-token-secret";
        var environment = new Dictionary<string, string?>
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = new Uri(_container.BaseUri, "/v1/credentials").ToString(),
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile,
        };
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsEnvironment.FromDictionary(environment) };
        await using (var harness = CollectorHarness.Create(definition, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:region"] = Region }, timeProvider: _time))
        {
            var text = CollectorHarness.Render((await harness.ScrapeAsync()).Batch);
            Assert.Equal(1, TestSupport.Value(text, "elasticsearch_up"));
            Assert.All(_search.Seen, v => Assert.Equal(("ASIATASK1", (string?)null), (v.AccessKeyId, v.Refusal)));
        }

        // The agent refuses the token: every sub-collector fails with the reason, and the token is nowhere.
        _container.ExpectedAuthorization = "rotated-elsewhere";
        await using (var refused = CollectorHarness.Create(definition, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:region"] = Region }, timeProvider: _time))
        {
            var text = CollectorHarness.Render((await refused.ScrapeAsync()).Batch);
            Assert.Equal(0, TestSupport.Value(text, "elasticsearch_up"));
            Assert.Contains(refused.Logger.Lines, l => l.Contains("AWS credentials", StringComparison.Ordinal) && l.Contains("HTTP 401", StringComparison.Ordinal));
            Assert.DoesNotContain(refused.Logger.Lines, l => l.Contains("container-token-secret", StringComparison.Ordinal));
            Assert.DoesNotContain("container-token-secret", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Credentials_are_fetched_once_at_start_and_the_source_is_logged()
    {
        _search.Verifier.Accept("AKIDENV", "env-secret");
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsTestEnvironment.Keys("AKIDENV", "env-secret") };
        await using var harness = CollectorHarness.Create(definition, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:region"] = Region }, timeProvider: _time);

        // The check runs in the background; wait for its line rather than for a time.
        for (var i = 0; i < 200 && !harness.Logger.Lines.Any(l => l.Contains("AWS SigV4 signing for region eu-west-1", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(25);
        }

        Assert.Contains(harness.Logger.Lines, l => l.Contains("AWS SigV4 signing for region eu-west-1 with credentials from environment", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logger.Lines, l => l.Contains("env-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signing_stays_with_the_configured_host_and_is_not_used_for_probes_elsewhere()
    {
        _search.Verifier.Accept("AKIDENV", "env-secret");
        string? authorization = null;
        await using var other = await EsFixtureServer.StartAsync("es7", new Dictionary<string, RequestDelegate>
        {
            ["/_cluster/health"] = async context =>
            {
                authorization = context.Request.Headers.Authorization.ToString();
                await EsFixtureServer.Body("""{"cluster_name":"other","status":"green"}""")(context);
            },
        });
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsTestEnvironment.Keys("AKIDENV", "env-secret") };
        await using var harness = CollectorHarness.Create(definition, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:region"] = Region }, timeProvider: _time);

        var probe = CollectorHarness.Render((await harness.ScrapeAsync(target: other.Uri)).Batch);

        Assert.Equal(1, TestSupport.Value(probe, "elasticsearch_up"));
        Assert.Equal(string.Empty, authorization);
        Assert.DoesNotContain(_search.Seen, v => v.Refusal is not null);
    }

    [Theory]
    [InlineData("aws:region", "eu west 1", "collectors.elasticsearch.aws.region")]
    [InlineData("aws:service", "s3", "collectors.elasticsearch.aws.service")]
    [InlineData("aws:role_arn", "arn:aws:iam::123456789012:user/someone", "collectors.elasticsearch.aws")]
    public void Bad_aws_settings_are_refused_naming_the_key(string key, string value, string reported)
    {
        var definition = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = "s", ["AWS_REGION"] = Region }) };
        var (_, errors) = CollectorHarness.BindOptions(definition, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:role_arn"] = "arn:aws:iam::123456789012:role/monitoring", [key] = value });
        Assert.Contains(errors.Errors, e => "collectors.elasticsearch." + e.Key == reported);
    }

    [Fact]
    public void A_role_arn_alone_takes_the_region_from_the_environment()
    {
        var withRegion = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsEnvironment.FromDictionary(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKID", ["AWS_SECRET_ACCESS_KEY"] = "s", ["AWS_REGION"] = Region }) };
        Assert.False(CollectorHarness.BindOptions(withRegion, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:role_arn"] = "arn:aws:iam::123456789012:role/monitoring" }).Errors.HasErrors);

        var withoutRegion = new ElasticsearchCollectorDefinition { AwsEnvironment = AwsTestEnvironment.Keys() };
        var (_, errors) = CollectorHarness.BindOptions(withoutRegion, new Dictionary<string, string?> { ["uri"] = SearchUri, ["aws:role_arn"] = "arn:aws:iam::123456789012:role/monitoring" });
        Assert.Contains(errors.Errors, e => e.Key == "aws.region" && e.Message.Contains("AWS_REGION", StringComparison.Ordinal));
    }
}
