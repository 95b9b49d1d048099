using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// The parts of an HTTP request that Signature Version 4 covers, as they go on the wire: <paramref name="Path"/> is
/// the request-target path exactly as sent (already percent-encoded by the HTTP client; it is encoded once more, as
/// AWS specifies for every service but S3), <paramref name="Query"/> the raw query string with or without its '?'.
/// </summary>
/// <param name="Method">The HTTP method, for example <c>GET</c>.</param>
/// <param name="Path">The request-target path as sent.</param>
/// <param name="Query">The raw query string, possibly empty.</param>
/// <param name="Headers">The headers to sign, in the order received; a name may repeat.</param>
/// <param name="PayloadHash">The lowercase hex SHA-256 of the body (or a literal such as <c>UNSIGNED-PAYLOAD</c>).</param>
internal sealed record SigV4Request(string Method, string Path, string Query, IReadOnlyList<KeyValuePair<string, string>> Headers, string PayloadHash);

/// <summary>Everything a signature was computed from, so that a test can compare each stage with a reference.</summary>
/// <param name="CanonicalRequest">The canonical request.</param>
/// <param name="StringToSign">The string to sign.</param>
/// <param name="SignedHeaders">The signed header names, lowercase, ';'-separated.</param>
/// <param name="Signature">The lowercase hex signature.</param>
/// <param name="Authorization">The value of the <c>Authorization</c> header.</param>
/// <param name="AddedHeaders">Headers the signature requires on the request: <c>X-Amz-Date</c> and, with a session token, <c>X-Amz-Security-Token</c>.</param>
internal sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string SignedHeaders,
    string Signature,
    string Authorization,
    IReadOnlyList<KeyValuePair<string, string>> AddedHeaders)
{
    /// <summary>Only the parts without secrets: the signature itself is no secret, the session token is left out.</summary>
    public override string ToString() => $"SigV4 signature {Signature} over {SignedHeaders}";
}

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) for one region and service, for example <c>es</c> (Amazon
/// OpenSearch Service and Amazon Elasticsearch Service) or <c>aoss</c> (OpenSearch Serverless). Stateless and
/// thread-safe.
/// </summary>
internal sealed class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of the empty string: the payload hash of a request without a body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";
    public const string ContentSha256Header = "x-amz-content-sha256";

    public SigV4Signer(string region, string service)
    {
        Region = CheckScopePart(region, "region");
        Service = CheckScopePart(service, "service");
    }

    public string Region { get; }

    public string Service { get; }

    /// <summary>The signing key: HMAC-SHA256 chained over the date (yyyyMMdd), region, service and <c>aws4_request</c>.</summary>
    public static byte[] DeriveSigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>The <c>X-Amz-Date</c> form of an instant: <c>yyyyMMdd'T'HHmmss'Z'</c> in UTC.</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Signs <paramref name="request"/> at <paramref name="time"/>. Any <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c>
    /// or <c>Authorization</c> among its headers is replaced by the values this signature needs (see
    /// <see cref="SigV4Signature.AddedHeaders"/>), so a request can be signed again.
    /// </summary>
    public SigV4Signature Sign(SigV4Request request, AwsCredentials credentials, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = FormatAmzDate(time);
        var date = amzDate[..8];

        var added = new List<KeyValuePair<string, string>> { new(DateHeader, amzDate) };
        if (credentials.SessionToken is { } token)
        {
            added.Add(new(SecurityTokenHeader, token));
        }

        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count + added.Count);
        foreach (var header in request.Headers)
        {
            if (!header.Key.Equals(DateHeader, StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals(SecurityTokenHeader, StringComparison.OrdinalIgnoreCase)
                && !header.Key.Equals("authorization", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(header);
            }
        }

        headers.AddRange(added);
        var (canonicalHeaders, signedHeaders) = CanonicalHeaders(headers);
        var canonicalRequest = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(CanonicalUri(request.Path)).Append('\n')
            .Append(CanonicalQuery(request.Query)).Append('\n')
            .Append(canonicalHeaders).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(request.PayloadHash)
            .ToString();

        var scope = $"{date}/{Region}/{Service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = DeriveSigningKey(credentials.SecretAccessKey, date, Region, Service);
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        CryptographicOperations.ZeroMemory(key);
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signedHeaders, signature, authorization, added);
    }

    /// <summary>
    /// Signs an outgoing <see cref="HttpRequestMessage"/> in place: sets <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c>
    /// (with a session token), optionally <c>x-amz-content-sha256</c>, and <c>Authorization</c>. Signs <c>host</c>,
    /// <c>content-type</c> and every <c>x-amz-*</c> header; other headers travel unsigned so that proxies and the inner
    /// handler (which adds <c>Accept-Encoding</c> after this runs) cannot break the signature. A body is buffered to be
    /// hashed; an <c>x-amz-content-sha256</c> header already on the request is used as the payload hash instead.
    /// </summary>
    public async Task<SigV4Signature> SignAsync(HttpRequestMessage request, AwsCredentials credentials, DateTimeOffset time, bool addContentSha256Header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException("a request to sign needs an absolute URI");
        }

        request.Headers.Authorization = null;
        request.Headers.Remove(DateHeader);
        request.Headers.Remove(SecurityTokenHeader);

        string payloadHash;
        if (request.Headers.NonValidated.TryGetValues(ContentSha256Header, out var declared) && declared.Count == 1)
        {
            payloadHash = declared.ToString();
        }
        else
        {
            request.Headers.Remove(ContentSha256Header);
            payloadHash = await HashContentAsync(request.Content, cancellationToken);
            if (addContentSha256Header)
            {
                request.Headers.TryAddWithoutValidation(ContentSha256Header, payloadHash);
            }
        }

        var headers = new List<KeyValuePair<string, string>> { new("host", request.Headers.Host ?? HostHeader(uri)) };
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                // Several values of one header go out as one line joined by ", ", so that is the value to sign.
                headers.Add(new(name, string.Join(", ", values)));
            }
        }

        if (request.Content is { } content && content.Headers.NonValidated.TryGetValues("Content-Type", out var contentType))
        {
            headers.Add(new("content-type", string.Join(", ", contentType)));
        }

        var signature = Sign(new SigV4Request(request.Method.Method, uri.AbsolutePath, uri.Query, headers, payloadHash), credentials, time);
        foreach (var (name, value) in signature.AddedHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return signature;
    }

    /// <summary>The Host header HttpClient sends for <paramref name="uri"/>: punycode host, brackets for IPv6, port unless default.</summary>
    public static string HostHeader(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var host = uri.HostNameType == UriHostNameType.IPv6 ? "[" + uri.IdnHost + "]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The canonical URI for services other than S3: dot segments resolved, empty segments dropped, then every byte but
    /// the unreserved characters and '/' percent-encoded.
    /// </summary>
    public static string CanonicalUri(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var normalized = "/" + string.Join('/', segments) + (segments.Count > 0 && path[^1] == '/' ? "/" : string.Empty);
        return UriEncode(Encoding.UTF8.GetBytes(normalized), keepSlash: true);
    }

    /// <summary>
    /// The canonical query: each name and value percent-decoded ('+' read as a space, as HTML forms and Go's
    /// url.ParseQuery do) and encoded again, pairs sorted by encoded name, then encoded value.
    /// </summary>
    public static string CanonicalQuery(string query)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            pairs.Add((UriEncode(PercentDecode(name), keepSlash: false), UriEncode(PercentDecode(value), keepSlash: false)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(static p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// Canonical header lines (each ending in a line feed) and the signed header list: names lowercased and sorted,
    /// values of a repeated name joined by ',' in order, each value trimmed with inner whitespace runs made one space.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
            {
                byName[key] = values = [];
            }

            values.Add(TrimAll(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
        {
            canonical.Append(name).Append(':').AppendJoin(',', values).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    /// <summary>Lowercase hex SHA-256 of <paramref name="data"/>.</summary>
    public static string HashHex(ReadOnlySpan<byte> data) => Hex(SHA256.HashData(data));

    /// <summary>The payload hash of a body: it is buffered first, so the inner handler still sends it whole.</summary>
    public static async Task<string> HashContentAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return EmptyPayloadHash;
        }

        var body = await content.ReadAsByteArrayAsync(cancellationToken);
        return HashHex(body);
    }

    private static string TrimAll(string value)
    {
        var result = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    private static byte[] PercentDecode(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var n = new Rune(c, text[i + 1]).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
                i++;
            }
            else
            {
                var n = (Rune.TryCreate(c, out var rune) ? rune : Rune.ReplacementChar).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
            }
        }

        return [.. bytes];
    }

    private static string UriEncode(ReadOnlySpan<byte> bytes, bool keepSlash)
    {
        var result = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' || (keepSlash && b == '/'))
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return result.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string CheckScopePart(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value) || value.AsSpan().IndexOfAny("/ \t\r\n") >= 0)
        {
            throw new ArgumentException($"the SigV4 {what} must be a non-empty name without '/' or spaces, got '{value}'", what);
        }

        return value;
    }
}
