namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// Signs every outgoing request with AWS Signature Version 4 before the inner handler sends it. Goes in front of the
/// collector's <see cref="SocketsHttpHandler"/>: <c>new HttpClient(new AwsSigV4Handler(...) { InnerHandler = sockets })</c>.
/// Replaces any <c>Authorization</c> header already on the request. A failure to get credentials surfaces as an
/// <see cref="HttpRequestException"/> whose message names the credential source and never a secret.
/// </summary>
internal sealed class AwsSigV4Handler : DelegatingHandler
{
    private readonly TimeProvider _time;
    private readonly bool _addContentSha256Header;
    private readonly bool _ownsCredentials;

    public AwsSigV4Handler(SigV4Signer signer, IAwsCredentialsProvider credentials, TimeProvider time, bool addContentSha256Header = false, bool ownsCredentials = false)
    {
        Signer = signer ?? throw new ArgumentNullException(nameof(signer));
        Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _addContentSha256Header = addContentSha256Header;
        _ownsCredentials = ownsCredentials;
    }

    public SigV4Signer Signer { get; }

    public IAwsCredentialsProvider Credentials { get; }

    /// <summary>Fetches credentials now, so that a start-up can fail early on a broken chain (as elasticsearch_exporter does).</summary>
    public ValueTask<AwsCredentials> CheckCredentialsAsync(CancellationToken cancellationToken) => Credentials.GetCredentialsAsync(cancellationToken);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AwsCredentials credentials;
        try
        {
            credentials = await Credentials.GetCredentialsAsync(cancellationToken);
        }
        catch (AwsCredentialsException e)
        {
            throw new HttpRequestException("AWS credentials: " + e.Message, e);
        }

        await Signer.SignAsync(request, credentials, _time.GetUtcNow(), _addContentSha256Header, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    // A synchronous send would otherwise pass through DelegatingHandler.Send unsigned.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("AWS SigV4 signing needs the asynchronous HttpClient.SendAsync");

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsCredentials)
        {
            (Credentials as IDisposable)?.Dispose();
        }

        base.Dispose(disposing);
    }
}
