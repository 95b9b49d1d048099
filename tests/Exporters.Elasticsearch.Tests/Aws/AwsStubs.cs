using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Exporters.Elasticsearch.Tests.Aws;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>A Kestrel server on 127.0.0.1 answering every request with one delegate.</summary>
internal sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<StubServer> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return new StubServer(app, new Uri(app.Urls.First() + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Checks AWS Signature Version 4 on a received request the way an AWS endpoint does, written apart from the
/// signer under test: it rebuilds the canonical request from the raw request target and the received headers,
/// derives the key from the secret it knows for the access key, and compares signatures. It also checks the scope
/// (date, region, service), the clock skew, the session token and that every x-amz-* header is signed.
/// </summary>
internal sealed class SigV4Verifier(string region, string service, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string Secret, string? Token)> _keys = new();

    public void Accept(string accessKeyId, string secret, string? sessionToken = null) => _keys[accessKeyId] = (secret, sessionToken);

    /// <summary>The verdict: <see cref="VerifiedRequest.Refusal"/> is null when the signature holds, otherwise it says why not.</summary>
    public async Task<VerifiedRequest> VerifyAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        const string prefix = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return VerifiedRequest.Refused("no AWS4-HMAC-SHA256 Authorization header");
        }

        var parts = authorization[prefix.Length..].Split(',').Select(p => p.Trim().Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedList) || !parts.TryGetValue("Signature", out var signature))
        {
            return VerifiedRequest.Refused("Authorization lacks Credential, SignedHeaders or Signature");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return VerifiedRequest.Refused("malformed credential scope");
        }

        var (accessKeyId, date, scopeRegion, scopeService) = (scope[0], scope[1], scope[2], scope[3]);
        if (!_keys.TryGetValue(accessKeyId, out var key))
        {
            return VerifiedRequest.Refused($"unknown access key {accessKeyId}");
        }

        if (scopeRegion != region || scopeService != service)
        {
            return VerifiedRequest.Refused($"scope {scopeRegion}/{scopeService} is not {region}/{service}");
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return VerifiedRequest.Refused("X-Amz-Date missing or malformed");
        }

        if (amzDate[..8] != date)
        {
            return VerifiedRequest.Refused("X-Amz-Date is not on the scope's date");
        }

        if ((time.GetUtcNow().UtcDateTime - signedAt).Duration() > TimeSpan.FromMinutes(5))
        {
            return VerifiedRequest.Refused("signed more than 5 minutes away from the server's clock");
        }

        var signed = signedList.Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date"))
        {
            return VerifiedRequest.Refused("host and x-amz-date must be signed");
        }

        foreach (var header in request.Headers.Keys)
        {
            if (header.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !signed.Contains(header.ToLowerInvariant()))
            {
                return VerifiedRequest.Refused($"{header} is not signed");
            }
        }

        var token = request.Headers["X-Amz-Security-Token"].ToString();
        if ((key.Token ?? string.Empty) != token)
        {
            return VerifiedRequest.Refused("security token missing or wrong");
        }

        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        request.Body.Position = 0;
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body.ToArray()));
        var declared = request.Headers["x-amz-content-sha256"].ToString();
        if (declared.Length > 0 && declared != payloadHash)
        {
            return VerifiedRequest.Refused("x-amz-content-sha256 does not match the body");
        }

        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[(question + 1)..];

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n');
        canonical.Append(Path(path)).Append('\n');
        canonical.Append(Query(query)).Append('\n');
        foreach (var name in signed)
        {
            var values = request.Headers[name].Select(v => string.Join(' ', (v ?? string.Empty).Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        canonical.Append('\n').Append(signedList).Append('\n').Append(payloadHash);
        var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + string.Join('/', scope[1..]) + "\n"
            + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        var k = Encoding.UTF8.GetBytes("AWS4" + key.Secret);
        foreach (var step in new[] { date, scopeRegion, scopeService, "aws4_request" })
        {
            k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(step));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return VerifiedRequest.Refused("signature mismatch");
        }

        return new VerifiedRequest(null, accessKeyId, signedList, token.Length == 0 ? null : token, target);
    }

    // Dot segments and empty segments go, then each byte outside the unreserved set (and '/') is escaped: the raw
    // target is already escaped once, so an escape in it is escaped again.
    private static string Path(string raw)
    {
        var stack = new Stack<string>();
        foreach (var segment in raw.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                stack.TryPop(out _);
            }
            else if (segment != ".")
            {
                stack.Push(segment);
            }
        }

        var joined = "/" + string.Join('/', stack.Reverse());
        if (stack.Count > 0 && raw.EndsWith('/'))
        {
            joined += "/";
        }

        return Escape(joined, "/");
    }

    private static string Query(string raw)
    {
        var pairs = raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Escape(Unescape(p[0]), string.Empty), Value: Escape(Unescape(p.Length > 1 ? p[1] : string.Empty), string.Empty)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string Escape(string text, string alsoSafe)
    {
        var result = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "-_.~".Contains(c, StringComparison.Ordinal) || alsoSafe.Contains(c, StringComparison.Ordinal))
            {
                result.Append(c);
            }
            else
            {
                result.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return result.ToString();
    }
}

/// <summary>The verdict on one request.</summary>
internal sealed record VerifiedRequest(string? Refusal, string? AccessKeyId = null, string? SignedHeaders = null, string? SessionToken = null, string? Target = null)
{
    public static VerifiedRequest Refused(string why) => new(why);
}

/// <summary>An Amazon OpenSearch Service stand-in: 200 with a small JSON body for a good signature, 403 otherwise.</summary>
internal sealed class OpenSearchStub : IAsyncDisposable
{
    private StubServer? _server;

    private OpenSearchStub(SigV4Verifier verifier) => Verifier = verifier;

    public SigV4Verifier Verifier { get; }

    public ConcurrentQueue<VerifiedRequest> Seen { get; } = new();

    public Uri BaseUri => _server!.BaseUri;

    public static async Task<OpenSearchStub> StartAsync(string region, TimeProvider time, string service = "es")
    {
        var stub = new OpenSearchStub(new SigV4Verifier(region, service, time));
        stub._server = await StubServer.StartAsync(async context =>
        {
            var verdict = await stub.Verifier.VerifyAsync(context);
            stub.Seen.Enqueue(verdict);
            context.Response.ContentType = "application/json";
            if (verdict.Refusal is not null)
            {
                context.Response.StatusCode = 403;
                await context.Response.WriteAsync($$"""{"message":"{{verdict.Refusal}}"}""");
                return;
            }

            await context.Response.WriteAsync("""{"cluster_name":"stub","status":"green"}""");
        });
        return stub;
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();
}

/// <summary>
/// An STS stand-in for AssumeRoleWithWebIdentity (checks role, session name and the current token) and AssumeRole
/// (checks the SigV4 signature, service sts, against the base keys it was told and the keys it issued). Each call
/// issues new keys that the given <see cref="SigV4Verifier"/> then accepts, expiring an hour later by the shared clock.
/// </summary>
internal sealed class StsStub : IAsyncDisposable
{
    private readonly ManualTime _time;
    private readonly SigV4Verifier _issuedTo;
    private StubServer? _server;
    private int _issued;

    private StsStub(ManualTime time, SigV4Verifier issuedTo, string region)
    {
        _time = time;
        _issuedTo = issuedTo;
        SignedCalls = new SigV4Verifier(region, "sts", time);
    }

    /// <summary>Verifies AssumeRole calls; tell it the base keys.</summary>
    public SigV4Verifier SignedCalls { get; }

    /// <summary>The web identity token STS accepts now.</summary>
    public string? ExpectedWebIdentityToken { get; set; }

    /// <summary>The roles that may be assumed.</summary>
    public HashSet<string> AllowedRoles { get; } = ["arn:aws:iam::123456789012:role/web"];

    public string? ExpectedSessionName { get; set; }

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every call: action, role, session name and (for web identity) the token presented.</summary>
    public ConcurrentQueue<(string Action, string RoleArn, string SessionName, string? Token, string? SignedBy)> Calls { get; } = new();

    public Uri BaseUri => _server!.BaseUri;

    public static async Task<StsStub> StartAsync(ManualTime time, SigV4Verifier issuedTo, string region)
    {
        var stub = new StsStub(time, issuedTo, region);
        stub._server = await StubServer.StartAsync(stub.HandleAsync);
        return stub;
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        string? signedBy = null;
        if (context.Request.Headers.Authorization.Count > 0)
        {
            var verdict = await SignedCalls.VerifyAsync(context);
            if (verdict.Refusal is not null)
            {
                await ErrorAsync(context, 403, "SignatureDoesNotMatch", verdict.Refusal);
                return;
            }

            signedBy = verdict.AccessKeyId;
        }

        if (context.Request.Method != "POST" || !context.Request.HasFormContentType)
        {
            await ErrorAsync(context, 400, "InvalidAction", "STS takes a form POST");
            return;
        }

        var form = await context.Request.ReadFormAsync();
        var action = form["Action"].ToString();
        var roleArn = form["RoleArn"].ToString();
        var session = form["RoleSessionName"].ToString();
        var token = action == "AssumeRoleWithWebIdentity" ? form["WebIdentityToken"].ToString() : null;
        Calls.Enqueue((action, roleArn, session, token, signedBy));
        if (form["Version"] != "2011-06-15")
        {
            await ErrorAsync(context, 400, "InvalidParameterValue", "Version");
            return;
        }

        if (!AllowedRoles.Contains(roleArn) || (ExpectedSessionName is not null && session != ExpectedSessionName))
        {
            await ErrorAsync(context, 403, "AccessDenied", $"Not authorized to perform sts:{action}");
            return;
        }

        if (action == "AssumeRoleWithWebIdentity")
        {
            if (signedBy is not null)
            {
                await ErrorAsync(context, 400, "InvalidRequest", "AssumeRoleWithWebIdentity is not signed");
                return;
            }

            if (token != ExpectedWebIdentityToken)
            {
                // The real STS does not echo the token; this stand-in does, to prove the client blanks it out.
                await ErrorAsync(context, 400, "InvalidIdentityToken", $"Token {token} is not valid");
                return;
            }
        }
        else if (action == "AssumeRole")
        {
            if (signedBy is null)
            {
                await ErrorAsync(context, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
                return;
            }
        }
        else
        {
            await ErrorAsync(context, 400, "InvalidAction", action);
            return;
        }

        var n = Interlocked.Increment(ref _issued);
        var prefix = action == "AssumeRole" ? "ASIAROLE" : "ASIAWEB";
        var (keyId, secret, sessionToken) = ($"{prefix}{n}", $"{prefix.ToLowerInvariant()}-secret-{n}", $"{prefix.ToLowerInvariant()}-token-{n}/+=");
        _issuedTo.Accept(keyId, secret, sessionToken);

        // Like STS, it accepts the temporary keys it issued for later calls (a role assumed with web identity keys).
        SignedCalls.Accept(keyId, secret, sessionToken);
        var expiration = (_time.Now + Lifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync($"""
            <{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <{action}Result>
                <AssumedRoleUser>
                  <Arn>{roleArn}/{session}</Arn>
                  <AssumedRoleId>AROA:{session}</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>{keyId}</AccessKeyId>
                  <SecretAccessKey>{secret}</SecretAccessKey>
                  <SessionToken>{sessionToken}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
              </{action}Result>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </{action}Response>
            """);
    }

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync($"""
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{WebUtility.HtmlEncode(message)}</Message></Error>
              <RequestId>a1b2c3</RequestId>
            </ErrorResponse>
            """);
    }
}

/// <summary>
/// A container credentials endpoint stand-in (ECS agent, EKS Pod Identity agent): checks the Authorization header
/// against the token it expects and answers with new keys that the given verifier then accepts.
/// </summary>
internal sealed class ContainerCredentialsStub : IAsyncDisposable
{
    private readonly ManualTime _time;
    private readonly SigV4Verifier _issuedTo;
    private StubServer? _server;
    private int _issued;

    private ContainerCredentialsStub(ManualTime time, SigV4Verifier issuedTo)
    {
        _time = time;
        _issuedTo = issuedTo;
    }

    /// <summary>The Authorization value required; null for none.</summary>
    public string? ExpectedAuthorization { get; set; }

    public ConcurrentQueue<(string Path, string? Authorization)> Calls { get; } = new();

    public Uri BaseUri => _server!.BaseUri;

    public static async Task<ContainerCredentialsStub> StartAsync(ManualTime time, SigV4Verifier issuedTo)
    {
        var stub = new ContainerCredentialsStub(time, issuedTo);
        stub._server = await StubServer.StartAsync(async context =>
        {
            var authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null;
            stub.Calls.Enqueue((context.Request.Path.Value ?? string.Empty, authorization));
            context.Response.ContentType = "application/json";
            if (authorization != stub.ExpectedAuthorization)
            {
                context.Response.StatusCode = 401;

                // Echoes what it got, which the real agent does not, to prove the client blanks the token out.
                await context.Response.WriteAsync($$"""{"code":"AccessDenied","message":"bad token {{authorization}}"}""");
                return;
            }

            var n = Interlocked.Increment(ref stub._issued);
            var (keyId, secret, token) = ($"ASIATASK{n}", $"task-secret-{n}", $"task-token-{n}");
            stub._issuedTo.Accept(keyId, secret, token);
            var expiration = (stub._time.Now + TimeSpan.FromHours(6)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            await context.Response.WriteAsync($$"""
                {"AccessKeyId":"{{keyId}}","SecretAccessKey":"{{secret}}","Token":"{{token}}","Expiration":"{{expiration}}","RoleArn":"arn:aws:iam::123456789012:role/task"}
                """);
        });
        return stub;
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();
}
