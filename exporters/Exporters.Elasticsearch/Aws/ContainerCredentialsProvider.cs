using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// The container credentials endpoint of ECS tasks and EKS Pod Identity: <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>
/// against 169.254.170.2, or <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> with an authorization token from
/// <c>AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE</c> (read on every fetch, as EKS rotates it) or
/// <c>AWS_CONTAINER_AUTHORIZATION_TOKEN</c>.
/// </summary>
internal sealed class ContainerCredentialsProvider : IAwsCredentialsProvider, IDisposable
{
    /// <summary>Where relative URIs point: the ECS agent's link-local address.</summary>
    public static readonly Uri EcsBase = new("http://169.254.170.2");

    private const int MaxResponseBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly string? _authorizationToken;

    public ContainerCredentialsProvider(HttpClient http, Uri endpoint, string? authorizationToken, string? authorizationTokenFile, bool ownsClient = false, TimeSpan? timeout = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _authorizationToken = authorizationToken;
        AuthorizationTokenFile = authorizationTokenFile;
        _ownsClient = ownsClient;
        Timeout = timeout ?? TimeSpan.FromSeconds(5);
    }

    public Uri Endpoint { get; }

    public string? AuthorizationTokenFile { get; }

    /// <summary>Whether an authorization token is sent (inline or from a file); the token itself is not exposed.</summary>
    public bool SendsAuthorization => _authorizationToken is not null || AuthorizationTokenFile is not null;

    public TimeSpan Timeout { get; }

    public string Description => $"container credentials endpoint {DisplayEndpoint}";

    // The query of a full URI is not shown: nothing says it cannot carry a credential.
    private string DisplayEndpoint => Endpoint.GetLeftPart(UriPartial.Path);

    /// <summary>
    /// The endpoint from the environment: the relative URI against <paramref name="relativeBase"/> (169.254.170.2
    /// unless a test says otherwise), else the full URI, which must be https or plain http to a loopback address or
    /// to the ECS (169.254.170.2) or EKS Pod Identity (169.254.170.23, fd00:ec2::23) agents. Null when neither is set.
    /// </summary>
    public static Uri? ResolveEndpoint(AwsEnvironment environment, Uri? relativeBase = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.Get(AwsEnvironment.ContainerRelativeUri) is { } relative)
        {
            if (!relative.StartsWith('/') || !Uri.TryCreate((relativeBase ?? EcsBase).GetLeftPart(UriPartial.Authority) + relative, UriKind.Absolute, out var resolved))
            {
                throw new AwsCredentialsException($"{AwsEnvironment.ContainerRelativeUri} must be a path starting with '/', got '{relative}'");
            }

            return resolved;
        }

        if (environment.Get(AwsEnvironment.ContainerFullUri) is not { } full)
        {
            return null;
        }

        if (!Uri.TryCreate(full, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new AwsCredentialsException($"{AwsEnvironment.ContainerFullUri} must be an absolute http:// or https:// URL, got '{full}'");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsAllowedPlainHttpHost(uri))
        {
            throw new AwsCredentialsException($"{AwsEnvironment.ContainerFullUri} uses plain http to {uri.Host}; plain http is allowed only to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (use https otherwise)");
        }

        return uri;
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var token = ReadAuthorizationToken();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        string what = Description;
        string[] secrets = token is null ? [] : [token];
        HttpStatusCode status;
        byte[] body;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = response.StatusCode;
            body = await ReadCappedAsync(response.Content, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsCredentialsException($"{what}: no answer within {Timeout.TotalSeconds}s", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new AwsCredentialsException($"{what}: {StsClient.Sanitize(e.Message, secrets)}", e);
        }

        ContainerCredentialsResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, AwsJsonContext.Default.ContainerCredentialsResponse);
        }
        catch (JsonException e)
        {
            // Only the path and position are kept: the message may quote part of the body, which holds the secret key.
            parsed = null;
            if (status == HttpStatusCode.OK)
            {
                throw new AwsCredentialsException($"{what}: the answer is not valid JSON (at {e.Path ?? "$"}, line {e.LineNumber}, byte {e.BytePositionInLine})", e);
            }
        }

        if (status != HttpStatusCode.OK)
        {
            var detail = parsed?.Message ?? parsed?.ErrorMessage;
            var code = parsed?.Code ?? parsed?.ErrorCode;
            throw new AwsCredentialsException($"{what}: HTTP {(int)status}"
                + (code is null ? string.Empty : $": {StsClient.Sanitize(code, secrets)}")
                + (detail is null ? string.Empty : $" ({StsClient.Sanitize(detail, secrets)})"));
        }

        if (parsed is null)
        {
            throw new AwsCredentialsException($"{what}: the answer is empty");
        }

        var missing = parsed.AccessKeyId is null ? "AccessKeyId" : parsed.SecretAccessKey is null ? "SecretAccessKey" : null;
        if (missing is not null)
        {
            throw new AwsCredentialsException($"{what}: the answer has no {missing}");
        }

        DateTimeOffset? expiration = parsed.Expiration is null ? null : StsClient.ParseExpiration(parsed.Expiration, $"{what}: Expiration");
        return new AwsCredentials(parsed.AccessKeyId!, parsed.SecretAccessKey!, parsed.Token, expiration, Description);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    private static bool IsAllowedPlainHttpHost(Uri uri)
    {
        if (uri.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(uri.IdnHost, out var address)
            && (address.Equals(IPAddress.Parse("169.254.170.2")) || address.Equals(IPAddress.Parse("169.254.170.23")) || address.Equals(IPAddress.Parse("fd00:ec2::23")));
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        if (read > MaxResponseBytes)
        {
            throw new HttpRequestException($"the answer is larger than {MaxResponseBytes} bytes");
        }

        return buffer[..read];
    }

    private string? ReadAuthorizationToken()
    {
        string? token = _authorizationToken;
        if (AuthorizationTokenFile is { } file)
        {
            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AwsCredentialsException($"cannot read the container authorization token file '{file}' ({AwsEnvironment.ContainerAuthorizationTokenFile}): {e.GetType().Name}", e);
            }

            if (token.Length == 0)
            {
                throw new AwsCredentialsException($"the container authorization token file '{file}' ({AwsEnvironment.ContainerAuthorizationTokenFile}) is empty");
            }
        }

        if (token is not null && token.Any(char.IsControl))
        {
            var setting = AuthorizationTokenFile is null ? AwsEnvironment.ContainerAuthorizationToken : AwsEnvironment.ContainerAuthorizationTokenFile;
            throw new AwsCredentialsException($"the container authorization token ({setting}) contains a line break or control character");
        }

        return token;
    }
}

/// <summary>The container credentials endpoint's answer; error answers use Code/Message (ECS) or errorCode/errorMessage.</summary>
internal sealed class ContainerCredentialsResponse
{
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? Token { get; set; }

    public string? Expiration { get; set; }

    public string? RoleArn { get; set; }

    public string? Code { get; set; }

    public string? Message { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }
}

/// <summary>Source-generated JSON for the AWS credential sources, so the trimmed host needs no reflection.</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerCredentialsResponse))]
internal sealed partial class AwsJsonContext : JsonSerializerContext;
