using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Exporters.Elasticsearch.Aws;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>The handler on HttpRequestMessages: which headers it sets and signs, paths and queries as they go on the wire.</summary>
public sealed class AwsSigV4HandlerTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly AwsCredentials Keys = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null, null, "test");
    private static readonly AwsCredentials SessionKeys = new("ASIAEXAMPLE", "secret-key", "session/token+=", Now.AddHours(1), "test");

    [Fact]
    public async Task Get_without_body_is_signed_with_host_date_and_session_token_only()
    {
        var (response, seen) = await SendThroughHandlerAsync(SessionKeys, new HttpRequestMessage(HttpMethod.Get, "https://search-logs-abc.eu-west-1.es.amazonaws.com/_cluster/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("20250304T050607Z", Assert.Single(seen.Headers.GetValues("X-Amz-Date")));
        Assert.Equal("session/token+=", Assert.Single(seen.Headers.GetValues("X-Amz-Security-Token")));
        var authorization = Assert.Single(seen.Headers.GetValues("Authorization"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20250304/eu-west-1/es/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=", authorization, StringComparison.Ordinal);
        Assert.False(seen.Headers.Contains("x-amz-content-sha256"));
    }

    [Fact]
    public async Task Signature_recomputed_from_the_sent_request_matches()
    {
        var (_, seen) = await SendThroughHandlerAsync(Keys, new HttpRequestMessage(HttpMethod.Get, "https://search-x.eu-west-1.es.amazonaws.com/_nodes/stats"));

        // The expected value is computed here from the documented algorithm, step by step.
        var canonical = "GET\n/_nodes/stats\n\nhost:search-x.eu-west-1.es.amazonaws.com\nx-amz-date:20250304T050607Z\n\nhost;x-amz-date\n" + SigV4Signer.EmptyPayloadHash;
        var stringToSign = "AWS4-HMAC-SHA256\n20250304T050607Z\n20250304/eu-west-1/es/aws4_request\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        var key = HMACSHA256.HashData(HMACSHA256.HashData(HMACSHA256.HashData(HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + Keys.SecretAccessKey), "20250304"u8.ToArray()), "eu-west-1"u8.ToArray()), "es"u8.ToArray()), "aws4_request"u8.ToArray());
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        Assert.Equal($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/eu-west-1/es/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}", Assert.Single(seen.Headers.GetValues("Authorization")));
    }

    [Fact]
    public async Task An_existing_authorization_header_is_replaced_and_other_headers_stay_unsigned()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://search-x.eu-west-1.es.amazonaws.com/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("exporters-elasticsearch", "1"));

        var (_, seen) = await SendThroughHandlerAsync(Keys, request);

        var authorization = Assert.Single(seen.Headers.GetValues("Authorization"));
        Assert.StartsWith("AWS4-HMAC-SHA256 ", authorization, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=host;x-amz-date,", authorization, StringComparison.Ordinal);
        Assert.Equal("application/json", seen.Headers.Accept.ToString());
    }

    [Fact]
    public async Task A_body_is_hashed_signed_with_its_content_type_and_still_sent_whole()
    {
        const string Json = """{"query":{"match_all":{}}}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "https://search-x.eu-west-1.es.amazonaws.com/logs-*/_search")
        {
            Content = new StringContent(Json, Encoding.UTF8, "application/json"),
        };
        string? received = null;
        var signer = new SigV4Signer("eu-west-1", "es");
        using var handler = new AwsSigV4Handler(signer, new StaticCredentialsProvider(Keys), new ManualTime(Now), addContentSha256Header: true)
        {
            InnerHandler = new CapturingHandler(async r => received = await r.Content!.ReadAsStringAsync()),
        };
        using var client = new HttpClient(handler);

        using var response = await client.SendAsync(request);

        var hash = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));
        Assert.Equal(Json, received);
        Assert.Equal(hash, Assert.Single(request.Headers.GetValues("x-amz-content-sha256")));
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,", Assert.Single(request.Headers.GetValues("Authorization")), StringComparison.Ordinal);

        var signature = await signer.SignAsync(request, Keys, Now, true, CancellationToken.None);
        Assert.EndsWith("\n" + hash, signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Contains("content-type:application/json; charset=utf-8\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.StartsWith("POST\n/logs-%2A/_search\n", signature.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_payload_hash_is_used_as_is()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "https://x.us-east-1.aoss.amazonaws.com/index") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "UNSIGNED-PAYLOAD");

        var signature = await new SigV4Signer("us-east-1", "aoss").SignAsync(request, Keys, Now, addContentSha256Header: true, CancellationToken.None);

        Assert.EndsWith("\nUNSIGNED-PAYLOAD", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("UNSIGNED-PAYLOAD", Assert.Single(request.Headers.GetValues("x-amz-content-sha256")));
        Assert.Contains("/us-east-1/aoss/aws4_request", signature.Authorization, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/my index/_stats", "/my%2520index/_stats", "")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/*/_settings", "/%2A/_settings", "")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/a,b/_stats?level=shards", "/a%2Cb/_stats", "level=shards")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/_cat/indices?format=json&bytes=b&h=index,health", "/_cat/indices", "bytes=b&format=json&h=index%2Chealth")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/_nodes/stats?filter_path=nodes.*.name&x=a%2Fb", "/_nodes/stats", "filter_path=nodes.%2A.name&x=a%2Fb")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/_all/_stats?ignore_unavailable", "/_all/_stats", "ignore_unavailable=")]
    [InlineData("https://proxy.example/es//_cluster/./health", "/es/_cluster/health", "")]
    public async Task Path_and_query_are_canonicalised_from_what_goes_on_the_wire(string url, string canonicalPath, string canonicalQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        var signature = await new SigV4Signer("eu-west-1", "es").SignAsync(request, Keys, Now, false, CancellationToken.None);

        var lines = signature.CanonicalRequest.Split('\n');
        Assert.Equal(canonicalPath, lines[1]);
        Assert.Equal(canonicalQuery, lines[2]);
    }

    [Theory]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com/", "search-x.eu-west-1.es.amazonaws.com")]
    [InlineData("https://search-x.eu-west-1.es.amazonaws.com:443/", "search-x.eu-west-1.es.amazonaws.com")]
    [InlineData("http://127.0.0.1:9200/", "127.0.0.1:9200")]
    [InlineData("http://[::1]:9200/", "[::1]:9200")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    public void Host_header_is_what_http_client_sends(string url, string host) =>
        Assert.Equal(host, SigV4Signer.HostHeader(new Uri(url)));

    [Fact]
    public async Task An_explicit_host_header_is_signed_instead_of_the_uri_authority()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9200/");
        request.Headers.Host = "vpc-logs.eu-west-1.es.amazonaws.com";

        var signature = await new SigV4Signer("eu-west-1", "es").SignAsync(request, Keys, Now, false, CancellationToken.None);

        Assert.Contains("\nhost:vpc-logs.eu-west-1.es.amazonaws.com\n", signature.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_twice_replaces_the_previous_signature_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://search-x.eu-west-1.es.amazonaws.com/");
        var signer = new SigV4Signer("eu-west-1", "es");

        await signer.SignAsync(request, SessionKeys, Now, false, CancellationToken.None);
        var second = await signer.SignAsync(request, Keys, Now.AddMinutes(1), false, CancellationToken.None);

        Assert.Equal(second.Authorization, Assert.Single(request.Headers.GetValues("Authorization")));
        Assert.Equal("20250304T050707Z", Assert.Single(request.Headers.GetValues("X-Amz-Date")));
        Assert.False(request.Headers.Contains("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task A_credential_failure_is_an_http_request_exception_naming_the_source()
    {
        using var handler = new AwsSigV4Handler(new SigV4Signer("eu-west-1", "es"), new FailingProvider("container credentials endpoint http://127.0.0.1:1/creds: HTTP 401"), new ManualTime(Now))
        {
            InnerHandler = new CapturingHandler(_ => Task.CompletedTask),
        };
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("https://search-x.eu-west-1.es.amazonaws.com/")));

        Assert.Equal("AWS credentials: container credentials endpoint http://127.0.0.1:1/creds: HTTP 401", error.Message);
        Assert.IsType<AwsCredentialsException>(error.InnerException);
    }

    [Fact]
    public void A_synchronous_send_is_refused_rather_than_sent_unsigned()
    {
        var sent = false;
        using var handler = new AwsSigV4Handler(new SigV4Signer("eu-west-1", "es"), new StaticCredentialsProvider(Keys), new ManualTime(Now))
        {
            InnerHandler = new CapturingHandler(_ =>
            {
                sent = true;
                return Task.CompletedTask;
            }),
        };
        using var client = new HttpClient(handler);

        Assert.Throws<NotSupportedException>(() => client.Send(new HttpRequestMessage(HttpMethod.Get, "https://search-x.eu-west-1.es.amazonaws.com/")));
        Assert.False(sent);
    }

    [Theory]
    [InlineData("", "es")]
    [InlineData("eu-west-1", "")]
    [InlineData("eu west", "es")]
    [InlineData("eu-west-1", "es/x")]
    public void Region_and_service_must_be_plain_names(string region, string service) =>
        Assert.Throws<ArgumentException>(() => new SigV4Signer(region, service));

    private static async Task<(HttpResponseMessage Response, HttpRequestMessage Seen)> SendThroughHandlerAsync(AwsCredentials credentials, HttpRequestMessage request)
    {
        HttpRequestMessage? seen = null;
        var region = request.RequestUri!.Host.Split('.') is { Length: > 3 } labels ? labels[1] : "us-east-1";
        using var handler = new AwsSigV4Handler(new SigV4Signer(region, "es"), new StaticCredentialsProvider(credentials), new ManualTime(Now))
        {
            InnerHandler = new CapturingHandler(r =>
            {
                seen = r;
                return Task.CompletedTask;
            }),
        };
        using var client = new HttpClient(handler);
        var response = await client.SendAsync(request);
        return (response, seen!);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private sealed class CapturingHandler(Func<HttpRequestMessage, Task> onRequest) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await onRequest(request);
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onRequest(request).GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
        }
    }

    private sealed class FailingProvider(string message) : IAwsCredentialsProvider
    {
        public string Description => "failing";

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => throw new AwsCredentialsException(message);
    }
}
