using System.Text;
using Exporters.Elasticsearch.Aws;
using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>
/// The signer against AWS's published Signature Version 4 test suite (aws4_testsuite/, see its README.md) and the
/// worked examples of the AWS documentation: canonical request, string to sign and Authorization must match exactly.
/// </summary>
public sealed class SigV4VectorTests
{
    private const string AccessKeyId = "AKIDEXAMPLE";
    private const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset VectorTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public static string SuiteDirectory => Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.Elasticsearch.Tests", "Aws", "aws4_testsuite");

    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (var request in Directory.EnumerateFiles(SuiteDirectory, "*.req", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(SuiteDirectory, Path.ChangeExtension(request, null)).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void The_suite_is_present_with_its_licence_and_all_its_cases()
    {
        Assert.True(File.Exists(Path.Combine(SuiteDirectory, "LICENSE")));
        Assert.True(File.Exists(Path.Combine(SuiteDirectory, "NOTICE")));
        Assert.True(File.Exists(Path.Combine(SuiteDirectory, "README.md")));
        Assert.Equal(34, Vectors().Count);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_canonical_request_string_to_sign_and_authorization_match(string vector)
    {
        var basePath = Path.Combine(SuiteDirectory, vector);
        var raw = ParseRequest(File.ReadAllText(basePath + ".req", Encoding.UTF8));
        var expectedCanonical = File.ReadAllText(basePath + ".creq", Encoding.UTF8);

        // The session-token cases: the token is signed when the canonical request lists it (post-sts-header-after
        // adds it after signing, so it is signed without one).
        var tokenLine = expectedCanonical.Split('\n').FirstOrDefault(l => l.StartsWith("x-amz-security-token:", StringComparison.Ordinal));
        var credentials = new AwsCredentials(AccessKeyId, SecretAccessKey, tokenLine?["x-amz-security-token:".Length..], null, "test suite");

        var signer = new SigV4Signer("us-east-1", "service");
        var result = signer.Sign(raw, credentials, VectorTime);

        Assert.Equal(expectedCanonical, result.CanonicalRequest);
        Assert.Equal(File.ReadAllText(basePath + ".sts", Encoding.UTF8), result.StringToSign);
        Assert.Equal(File.ReadAllText(basePath + ".authz", Encoding.UTF8), result.Authorization);
        Assert.Contains(result.AddedHeaders, h => h.Key == "X-Amz-Date" && h.Value == "20150830T123600Z");
    }

    [Fact]
    public void Documentation_example_signing_key_derivation()
    {
        // AWS documentation, "Examples of how to derive a signing key for Signature Version 4": each stage of the
        // HMAC chain for 20120215 / us-east-1 / iam.
        var key = SigV4Signer.DeriveSigningKey(SecretAccessKey, "20120215", "us-east-1", "iam");
        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public async Task Documentation_example_iam_list_users_through_an_http_request_message()
    {
        // AWS General Reference, "Signature Version 4 signing process" worked example (tasks 1 to 4): GET
        // https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08 at 20150830T123600Z.
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
        {
            Content = new ByteArrayContent([]),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        var signer = new SigV4Signer("us-east-1", "iam");

        var result = await signer.SignAsync(request, new AwsCredentials(AccessKeyId, SecretAccessKey, null, null, "documentation"), VectorTime, false, CancellationToken.None);

        Assert.Equal(
            "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            result.CanonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
            result.StringToSign);
        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9", Convert.ToHexStringLower(SigV4Signer.DeriveSigningKey(SecretAccessKey, "20150830", "us-east-1", "iam")));
        const string Expected = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        Assert.Equal(Expected, result.Authorization);
        Assert.Equal(Expected, string.Join(",", request.Headers.GetValues("Authorization")));
        Assert.Equal("20150830T123600Z", Assert.Single(request.Headers.GetValues("X-Amz-Date")));
    }

    [Fact]
    public void Signing_the_same_vector_with_another_secret_region_or_service_changes_the_signature()
    {
        var raw = ParseRequest(File.ReadAllText(Path.Combine(SuiteDirectory, "get-vanilla", "get-vanilla.req"), Encoding.UTF8));
        var good = new SigV4Signer("us-east-1", "service").Sign(raw, new AwsCredentials(AccessKeyId, SecretAccessKey, null, null, "t"), VectorTime).Signature;

        Assert.NotEqual(good, new SigV4Signer("us-east-1", "service").Sign(raw, new AwsCredentials(AccessKeyId, SecretAccessKey + "x", null, null, "t"), VectorTime).Signature);
        Assert.NotEqual(good, new SigV4Signer("us-east-2", "service").Sign(raw, new AwsCredentials(AccessKeyId, SecretAccessKey, null, null, "t"), VectorTime).Signature);
        Assert.NotEqual(good, new SigV4Signer("us-east-1", "es").Sign(raw, new AwsCredentials(AccessKeyId, SecretAccessKey, null, null, "t"), VectorTime).Signature);
        Assert.NotEqual(good, new SigV4Signer("us-east-1", "service").Sign(raw, new AwsCredentials(AccessKeyId, SecretAccessKey, null, null, "t"), VectorTime.AddSeconds(1)).Signature);
    }

    /// <summary>
    /// Reads a suite .req file: request line, headers (a line starting with whitespace continues the previous
    /// value), a blank line, the body. The path and query are kept as written, the way they would be on the wire.
    /// </summary>
    internal static SigV4Request ParseRequest(string text)
    {
        var lines = text.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];

        var headers = new List<KeyValuePair<string, string>>();
        var i = 1;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (char.IsWhiteSpace(lines[i][0]))
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + "\n" + lines[i]);
                continue;
            }

            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..]));
        }

        var body = i + 1 < lines.Length ? string.Join('\n', lines[(i + 1)..]) : string.Empty;
        return new SigV4Request(method, path, query, headers, SigV4Signer.HashHex(Encoding.UTF8.GetBytes(body)));
    }
}
