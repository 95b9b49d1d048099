using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;

namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// The two AWS Security Token Service actions the credential chain needs, over the Query API (form POST, XML answer):
/// <c>AssumeRoleWithWebIdentity</c> (unsigned: the web identity token is the proof) and <c>AssumeRole</c> (signed with
/// the base credentials). Messages name the action, role and endpoint, never a token or key.
/// </summary>
internal sealed class StsClient : IDisposable
{
    private const string ApiVersion = "2011-06-15";
    private const int MaxResponseBytes = 256 * 1024;

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly SigV4Signer _signer;
    private readonly TimeProvider _time;

    public StsClient(HttpClient http, Uri endpoint, string region, TimeProvider time, bool ownsClient = false, TimeSpan? timeout = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _ownsClient = ownsClient;
        _signer = new SigV4Signer(region, "sts");
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public Uri Endpoint { get; }

    public TimeSpan Timeout { get; }

    /// <summary>
    /// The STS endpoint: <c>AWS_ENDPOINT_URL_STS</c>, else <c>AWS_ENDPOINT_URL</c>, else the regional endpoint
    /// <c>https://sts.{region}.amazonaws.com</c> (<c>.amazonaws.com.cn</c> in the China regions).
    /// </summary>
    public static Uri ResolveEndpoint(string region, AwsEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var (name, value) = environment.First(AwsEnvironment.StsEndpointUrl, AwsEnvironment.EndpointUrl);
        if (name is not null)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var overridden) || (overridden.Scheme != Uri.UriSchemeHttps && overridden.Scheme != Uri.UriSchemeHttp))
            {
                throw new AwsCredentialsException($"{name} must be an absolute http:// or https:// URL, got '{value}'");
            }

            return overridden;
        }

        if (string.IsNullOrWhiteSpace(region) || !region.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new AwsCredentialsException($"'{region}' is not an AWS region name (for example eu-west-1)");
        }

        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://sts.{region}.{suffix}/");
    }

    /// <summary>Exchanges a web identity token (an EKS service account token, for instance) for role credentials.</summary>
    public Task<AwsCredentials> AssumeRoleWithWebIdentityAsync(string roleArn, string sessionName, string webIdentityToken, CancellationToken cancellationToken) =>
        CallAsync(
            "AssumeRoleWithWebIdentity",
            roleArn,
            [new("RoleArn", roleArn), new("RoleSessionName", sessionName), new("WebIdentityToken", webIdentityToken)],
            signWith: null,
            secrets: [webIdentityToken],
            cancellationToken);

    /// <summary>Assumes <paramref name="roleArn"/> with <paramref name="baseCredentials"/>, signing the call.</summary>
    public Task<AwsCredentials> AssumeRoleAsync(AwsCredentials baseCredentials, string roleArn, string sessionName, int durationSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseCredentials);
        return CallAsync(
            "AssumeRole",
            roleArn,
            [new("RoleArn", roleArn), new("RoleSessionName", sessionName), new("DurationSeconds", durationSeconds.ToString(CultureInfo.InvariantCulture))],
            baseCredentials,
            [baseCredentials.SecretAccessKey, baseCredentials.SessionToken ?? string.Empty],
            cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>Reads the credentials out of a successful STS answer.</summary>
    public static AwsCredentials ParseCredentials(string xml, string action, string source)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), SafeXml());
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Credentials")
                {
                    ReadChildren(reader, fields);
                    break;
                }
            }
        }
        catch (XmlException e)
        {
            // The exception's own message may quote the document, which holds the secret key: only the position is kept.
            throw new AwsCredentialsException($"STS {action} answered with malformed XML (line {e.LineNumber}, position {e.LinePosition})");
        }

        if (fields.Count == 0)
        {
            throw new AwsCredentialsException($"STS {action} answered without a Credentials element");
        }

        foreach (var required in (string[])["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"])
        {
            if (!fields.TryGetValue(required, out var value) || string.IsNullOrWhiteSpace(value))
            {
                throw new AwsCredentialsException($"STS {action} answered without Credentials/{required}");
            }
        }

        var expiration = ParseExpiration(fields["Expiration"], $"STS {action} Credentials/Expiration");
        return new AwsCredentials(fields["AccessKeyId"].Trim(), fields["SecretAccessKey"].Trim(), fields["SessionToken"].Trim(), expiration, source);
    }

    /// <summary>The code and message of an STS <c>ErrorResponse</c>, when the body is one.</summary>
    public static (string? Code, string? Message) ParseError(string xml)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), SafeXml());
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Error")
                {
                    ReadChildren(reader, fields);
                    break;
                }
            }
        }
        catch (XmlException)
        {
            return (null, null);
        }

        return (fields.GetValueOrDefault("Code"), fields.GetValueOrDefault("Message"));
    }

    /// <summary>An ISO 8601 instant as STS and the container endpoints write it, for example <c>2025-01-02T03:04:05Z</c>.</summary>
    public static DateTimeOffset ParseExpiration(string value, string field)
    {
        if (!DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiration))
        {
            throw new AwsCredentialsException($"{field} is not an ISO 8601 time: '{Truncate(value, 40)}'");
        }

        return expiration;
    }

    /// <summary>Shortens <paramref name="text"/> for a message and blanks out any of <paramref name="secrets"/> in it.</summary>
    public static string Sanitize(string? text, IEnumerable<string> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        foreach (var secret in secrets)
        {
            if (secret.Length >= 4)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return Truncate(text.ReplaceLineEndings(" "), 200);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    private static XmlReaderSettings SafeXml() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = MaxResponseBytes,
    };

    // Reads the text of each child element of the element the reader is on (one level deep).
    private static void ReadChildren(XmlReader reader, Dictionary<string, string> fields)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }

        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
            {
                var name = reader.LocalName;
                fields[name] = reader.ReadElementContentAsString();
            }
            else
            {
                reader.Read();
            }
        }
    }

    private async Task<AwsCredentials> CallAsync(string action, string roleArn, List<KeyValuePair<string, string>> parameters, AwsCredentials? signWith, string[] secrets, CancellationToken cancellationToken)
    {
        var what = $"STS {action} for role {roleArn} at {Endpoint.GetLeftPart(UriPartial.Path)}";
        var form = new StringBuilder("Action=").Append(action).Append("&Version=").Append(ApiVersion);
        foreach (var (name, value) in parameters)
        {
            form.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(form.ToString(), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/xml"));
        string body;
        HttpStatusCode status;
        try
        {
            if (signWith is not null)
            {
                await _signer.SignAsync(request, signWith, _time.GetUtcNow(), addContentSha256Header: false, timeout.Token);
            }

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
            throw new AwsCredentialsException($"{what}: {Sanitize(e.Message, secrets)}", e);
        }

        if (status != HttpStatusCode.OK)
        {
            var (code, message) = ParseError(body);
            var detail = code is null ? string.Empty : $": {Sanitize(code, secrets)}" + (message is null ? string.Empty : $" ({Sanitize(message, secrets)})");
            throw new AwsCredentialsException($"{what}: HTTP {(int)status}{detail}");
        }

        var source = signWith is null ? $"web identity (role {roleArn})" : $"assumed role {roleArn}";
        return ParseCredentials(body, action, source);
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
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

        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
