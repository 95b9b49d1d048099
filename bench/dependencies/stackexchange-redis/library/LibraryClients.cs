using StackExchange.Redis;

namespace RedisProbe;

internal static class Clients
{
    public const string Name = "StackExchange.Redis";

    public static IScrapeClient CreateScrapeClient(string host, int port) => new LibraryScrapeClient(host, port);

    public static IKeyClient CreateKeyClient(string host, int port) => new LibraryKeyClient(host, port);

    /// <summary>The library's defaults, plus admin commands (CONFIG) and no failure when the first connect fails.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string host, int port)
    {
        var options = new ConfigurationOptions { AllowAdmin = true, AbortOnConnectFail = false };
        options.EndPoints.Add(host, port);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}

/// <summary>
/// The scrape through the multiplexer: the five commands issued without waiting, then awaited together, which the
/// library pipelines. A missed deadline can only stop the waiting: the library has no cancellation for a command.
/// </summary>
internal sealed class LibraryScrapeClient(string host, int port) : IScrapeClient
{
    private static readonly object[][] Arguments = [.. ScrapeCommands.Pipeline.Select(command => command[1..].Cast<object>().ToArray())];
    private readonly Task<RedisResult>[] _pending = new Task<RedisResult>[ScrapeCommands.Pipeline.Length];
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase? _database;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _multiplexer = await Clients.ConnectAsync(host, port);
        _database = _multiplexer.GetDatabase();
    }

    public async Task ScrapeAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _pending.Length; i++)
        {
            _pending[i] = _database!.ExecuteAsync(ScrapeCommands.Pipeline[i][0], Arguments[i]);
        }

        try
        {
            await Task.WhenAll(_pending).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            foreach (var task in _pending)
            {
                // The commands stay queued in the library; observe their eventual failure so it is not unobserved.
                _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            throw;
        }
    }

    public ValueTask AbandonAsync() => ValueTask.CompletedTask;

    public bool LastInfoLooksRight() => ((string?)_pending[0].Result)?.Contains("redis_version:", StringComparison.Ordinal) == true;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}

/// <summary>Key lookups with the library's own cluster routing (slot map from CLUSTER NODES, MOVED and ASK).</summary>
internal sealed class LibraryKeyClient(string host, int port) : IKeyClient
{
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase? _database;

    public long Redirects => -1;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _multiplexer = await Clients.ConnectAsync(host, port);
        _database = _multiplexer.GetDatabase();
    }

    public async Task<long> GetLengthAsync(string key)
    {
        var value = await _database!.StringGetAsync(key);
        return value.IsNull ? 0 : value.Length();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}
