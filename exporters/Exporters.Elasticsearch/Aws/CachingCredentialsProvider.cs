namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// Keeps the credentials of an inner source until <see cref="RefreshAhead"/> before they expire, then fetches new
/// ones (one fetch at a time). If that fetch fails while the old credentials still have more than
/// <see cref="MinimumRemaining"/> left, the old ones are used and the next call tries again, so a brief STS or
/// container-endpoint outage does not fail scrapes. Credentials without an expiry are kept for good.
/// </summary>
internal sealed class CachingCredentialsProvider : IAwsCredentialsProvider, IDisposable
{
    private readonly IAwsCredentialsProvider _inner;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile AwsCredentials? _current;

    public CachingCredentialsProvider(IAwsCredentialsProvider inner, TimeProvider time, TimeSpan? refreshAhead = null, TimeSpan? minimumRemaining = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        RefreshAhead = refreshAhead ?? TimeSpan.FromMinutes(5);
        MinimumRemaining = minimumRemaining ?? TimeSpan.FromMinutes(1);
        if (MinimumRemaining > RefreshAhead)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumRemaining), "the minimum remaining lifetime must not exceed the refresh-ahead time");
        }
    }

    public TimeSpan RefreshAhead { get; }

    public TimeSpan MinimumRemaining { get; }

    public string Description => _inner.Description;

    /// <summary>The inner source, for callers that need to see what the chain chose.</summary>
    public IAwsCredentialsProvider Inner => _inner;

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && IsFresh(current, _time.GetUtcNow()))
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            var now = _time.GetUtcNow();
            if (current is not null && IsFresh(current, now))
            {
                return current;
            }

            try
            {
                var fresh = await _inner.GetCredentialsAsync(cancellationToken);
                if (fresh.Expiration is { } expiration && expiration <= now)
                {
                    throw new AwsCredentialsException($"{_inner.Description} returned credentials that expired at {expiration.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}; check the clock");
                }

                _current = fresh;
                return fresh;
            }
            catch (AwsCredentialsException) when (current?.Expiration is { } expiration && expiration - now > MinimumRemaining)
            {
                return current;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        (_inner as IDisposable)?.Dispose();
    }

    private bool IsFresh(AwsCredentials credentials, DateTimeOffset now) =>
        credentials.Expiration is not { } expiration || expiration - now > RefreshAhead;
}
