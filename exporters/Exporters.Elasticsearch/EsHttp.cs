using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using System.Text.Json;
using Exporters.Abstractions;

namespace Exporters.Elasticsearch;

/// <summary>A request to Elasticsearch failed; the message is safe to log (no credentials, no response body beyond the error reason).</summary>
internal sealed class EsRequestException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status when the server answered, or null when it did not answer at all.</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// One pooled HTTP connection set to one Elasticsearch target: base address without credentials, authorization
/// header or AWS request signing, TLS settings and a response-size cap. Thread-safe; reused across scrapes.
/// </summary>
internal sealed class EsHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _baseUri;
    private readonly string _prefix;
    private readonly long _maxBytes;
    private readonly TimeSpan _requestTimeout;
    private readonly string _extraQuery;

    /// <summary>Creates the connection set.</summary>
    /// <param name="target">The target; user-info, query and fragment are dropped.</param>
    /// <param name="tls">TLS settings for an https target.</param>
    /// <param name="maxResponseBytes">The response-size cap.</param>
    /// <param name="requestTimeout">Each request's timeout, or zero.</param>
    /// <param name="signing">A handler that signs each request (AWS SigV4), put in front of the socket handler; owned from here on.</param>
    /// <param name="extraQuery">Query parameters added to every request (an auth module's <c>options</c>), without '?'.</param>
    public EsHttp(Uri target, ClientTlsOptions tls, long maxResponseBytes, TimeSpan requestTimeout, DelegatingHandler? signing = null, string? extraQuery = null)
    {
        _baseUri = new UriBuilder(target) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }.Uri;

        // Elasticsearch behind a reverse proxy may live under a path (https://proxy/es/); requests keep that prefix.
        _prefix = _baseUri.GetLeftPart(UriPartial.Authority) + _baseUri.AbsolutePath.TrimEnd('/');
        _maxBytes = maxResponseBytes;
        _requestTimeout = requestTimeout;
        _extraQuery = extraQuery ?? string.Empty;
        Signed = signing is not null;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            MaxConnectionsPerServer = 4,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        if (target.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions = BuildSslOptions(tls);
        }

        HttpMessageHandler outer = handler;
        if (signing is not null)
        {
            signing.InnerHandler = handler;
            outer = signing;
        }

        _client = new HttpClient(outer) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("exporters-elasticsearch", "1"));
    }

    /// <summary>The base address, without credentials, for log lines.</summary>
    public string DisplayBase => _baseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>Whether requests are signed (AWS SigV4); then no <see cref="Authorization"/> is sent.</summary>
    public bool Signed { get; }

    /// <summary>The authorization header for this scrape, or null. Ignored when requests are signed.</summary>
    public AuthenticationHeaderValue? Authorization { get; set; }

    /// <summary>Sends <c>GET pathAndQuery</c> and hands the response body to <paramref name="read"/> as a size-capped stream.</summary>
    public async Task<T> GetAsync<T>(string pathAndQuery, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_requestTimeout > TimeSpan.Zero)
        {
            timeout.CancelAfter(_requestTimeout);
        }

        var token = timeout.Token;
        var path = pathAndQuery.Split('?', 2)[0];
        var uri = _extraQuery.Length == 0 ? _prefix + pathAndQuery : _prefix + pathAndQuery + (pathAndQuery.Contains('?', StringComparison.Ordinal) ? "&" : "?") + _extraQuery;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri));
        if (!Signed)
        {
            request.Headers.Authorization = Authorization;
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EsRequestException($"GET {path}: no answer within the request timeout {_requestTimeout.TotalSeconds}s", null, e);
        }
        catch (HttpRequestException e)
        {
            throw new EsRequestException($"GET {path}: {DescribeConnectionError(e)}", null, e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var reason = await ReadErrorReasonAsync(response, token);
                throw new EsRequestException($"GET {path}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{reason}", response.StatusCode);
            }

            if (response.Content.Headers.ContentLength is long length && length > _maxBytes)
            {
                throw new EsRequestException($"GET {path}: response of {length} bytes is larger than max_response_bytes ({_maxBytes})", response.StatusCode);
            }

            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(token);
                await using var capped = new CappedStream(body, _maxBytes, path);
                return await read(capped, token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new EsRequestException($"GET {path}: body not received within the request timeout {_requestTimeout.TotalSeconds}s", response.StatusCode, e);
            }
            catch (JsonException e)
            {
                throw new EsRequestException($"GET {path}: response is not valid JSON ({e.Message.Split('.')[0]})", response.StatusCode, e);
            }
            catch (CappedStream.TooLargeException e)
            {
                throw new EsRequestException(e.Message, response.StatusCode, e);
            }
            catch (IOException e)
            {
                throw new EsRequestException($"GET {path}: reading the response failed: {e.Message}", response.StatusCode, e);
            }
        }
    }

    /// <summary>Reads a small JSON response (under the cap) into a document.</summary>
    public Task<JsonDocument> GetDocumentAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        GetAsync(pathAndQuery, static (s, ct) => JsonDocument.ParseAsync(s, default, ct), cancellationToken);

    public void Dispose() => _client.Dispose();

    /// <summary>Builds the authorization header from options and the URI's user-info; secrets are resolved per scrape so rotated files apply.</summary>
    public static AuthenticationHeaderValue? BuildAuthorization(ElasticsearchOptions options, Uri target, bool sendConfiguredCredentials)
    {
        if (sendConfiguredCredentials)
        {
            var apiKey = Secrets.Resolve(options.ApiKey, options.ApiKeyFile);
            if (!string.IsNullOrEmpty(apiKey))
            {
                return new AuthenticationHeaderValue("ApiKey", apiKey);
            }

            var bearer = Secrets.Resolve(options.BearerToken, options.BearerTokenFile);
            if (!string.IsNullOrEmpty(bearer))
            {
                return new AuthenticationHeaderValue("Bearer", bearer);
            }
        }

        string? user = null;
        string? password = null;
        if (!string.IsNullOrEmpty(target.UserInfo))
        {
            // User-info arrives percent-encoded; a password holding ':' or '@' must be encoded in the URI and is decoded here.
            var parts = target.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        }

        if (sendConfiguredCredentials && !string.IsNullOrEmpty(options.Username))
        {
            user = options.Username;
            password = Secrets.Resolve(options.Password, options.PasswordFile) ?? password ?? string.Empty;
        }
        else if (sendConfiguredCredentials && user is not null && (!string.IsNullOrEmpty(options.Password) || !string.IsNullOrEmpty(options.PasswordFile)))
        {
            password = Secrets.Resolve(options.Password, options.PasswordFile);
        }

        if (user is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes($"{user}:{password}");
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(bytes));
    }

    private static SslClientAuthenticationOptions BuildSslOptions(ClientTlsOptions tls) =>
        ClientTls.CreateOptions(targetHost: null, tls.CaFile, string.IsNullOrEmpty(tls.KeyFile) ? null : tls.CertFile, tls.KeyFile, tls.InsecureSkipVerify);

    private static string DescribeConnectionError(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError => "connection failed (" + (e.InnerException?.Message ?? e.Message) + ")",
        HttpRequestError.NameResolutionError => "host name not resolved",
        HttpRequestError.SecureConnectionError => "TLS handshake failed (" + (e.InnerException?.Message ?? e.Message) + ")",
        HttpRequestError.ResponseEnded => "the server closed the connection without answering",
        _ => e.Message,
    };

    private static async Task<string> ReadErrorReasonAsync(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(token);
            var buffer = new byte[8192];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), token)) > 0)
            {
                read += n;
            }

            using var doc = JsonDocument.Parse(buffer.AsMemory(0, read));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return " (" + Truncate(error.GetString()) + ")";
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    var type = error.TryGetProperty("type", out var t) ? t.ToString() : "error";
                    var reason = error.TryGetProperty("reason", out var r) ? r.ToString() : string.Empty;
                    return $" ({type}: {Truncate(reason)})";
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
        }

        return string.Empty;
    }

    private static string Truncate(string? text) => text is null ? string.Empty : text.Length <= 200 ? text : text[..200] + "...";
}

/// <summary>Passes reads through until a byte limit, then throws; the body is never buffered here.</summary>
internal sealed class CappedStream(Stream inner, long limit, string path) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            throw new TooLargeException($"GET {path}: response is larger than max_response_bytes ({limit}); reading stopped");
        }

        return n;
    }

    internal sealed class TooLargeException(string message) : IOException(message);
}
