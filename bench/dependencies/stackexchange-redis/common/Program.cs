using System.Diagnostics;
using System.Globalization;

namespace RedisProbe;

/// <summary>
/// One measurement per process, printed as key=value lines for the run script. The scrape is the collector's
/// pipeline: INFO ALL, CONFIG GET of four parameters, SLOWLOG LEN, SLOWLOG GET 1 and LATENCY LATEST in one round trip.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: probe scrape HOST PORT SCRAPES      N pipelined scrapes, then holds the connections until stdin closes
               probe stall HOST PORT SECONDS       one scrape a second with a 1 s deadline, for SECONDS
               probe cluster HOST PORT ROUNDS      ROUNDS x 100 GETs routed over a Redis Cluster, then holds
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var port) || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var count))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        Console.WriteLine($"client={Clients.Name}");
        switch (args[0])
        {
            case "scrape":
                await ScrapeAsync(args[1], port, count);
                return 0;
            case "stall":
                await StallAsync(args[1], port, count);
                return 0;
            case "cluster":
                await ClusterAsync(args[1], port, count);
                return 0;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static async Task ScrapeAsync(string host, int port, int scrapes)
    {
        await using var client = Clients.CreateScrapeClient(host, port);
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(connect.Token);
        }

        for (var i = 0; i < 20; i++)
        {
            await client.ScrapeAsync(CancellationToken.None);
        }

        if (!client.LastInfoLooksRight())
        {
            throw new InvalidOperationException("the INFO reply does not look like INFO");
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var gcs = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < scrapes; i++)
        {
            await client.ScrapeAsync(CancellationToken.None);
        }

        clock.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine($"scrapes={scrapes}");
        Console.WriteLine($"us_per_scrape={clock.Elapsed.TotalMicroseconds / scrapes:F1}");
        Console.WriteLine($"bytes_per_scrape={allocated / scrapes}");
        Console.WriteLine($"gen0_collections={GC.CollectionCount(0) - gcs}");
        await HoldAsync();
    }

    private static async Task StallAsync(string host, int port, int seconds)
    {
        await using var client = Clients.CreateScrapeClient(host, port);
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(connect.Token);
        }

        int completed = 0, abandoned = 0, failed = 0;
        var errors = new SortedSet<string>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        Console.WriteLine("stall_phase=started");
        while (total.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var started = total.Elapsed;
            using var deadline = new CancellationTokenSource(Deadline);
            try
            {
                await client.ScrapeAsync(deadline.Token);
                completed++;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                abandoned++;
                await client.AbandonAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                errors.Add(e.GetType().Name);
                await client.AbandonAsync();
            }

            var wait = started + TimeSpan.FromSeconds(1) - total.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        Console.WriteLine($"completed={completed}");
        Console.WriteLine($"abandoned={abandoned}");
        Console.WriteLine($"failed={failed}");
        Console.WriteLine($"errors={string.Join(',', errors)}");

        // Give whatever the client still has queued the time to reach the server before the process ends.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine("stall_phase=done");
    }

    private static async Task ClusterAsync(string host, int port, int rounds)
    {
        const int Keys = 100;
        await using var client = Clients.CreateKeyClient(host, port);
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await client.ConnectAsync(connect.Token);
        }

        var keys = Enumerable.Range(0, Keys).Select(i => "bench:key:" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        long found = 0;
        for (var round = 0; round < 5; round++)
        {
            foreach (var key in keys)
            {
                found += await client.GetLengthAsync(key);
            }
        }

        if (found != 5L * Keys * "value".Length)
        {
            throw new InvalidOperationException($"expected every key to hold 'value'; read {found} bytes");
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var key in keys)
            {
                await client.GetLengthAsync(key);
            }
        }

        clock.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var lookups = rounds * Keys;
        Console.WriteLine($"lookups={lookups}");
        Console.WriteLine($"us_per_lookup={clock.Elapsed.TotalMicroseconds / lookups:F1}");
        Console.WriteLine($"bytes_per_lookup={allocated / lookups}");
        Console.WriteLine($"redirects_followed={client.Redirects}");
        await HoldAsync();
    }

    /// <summary>Keeps the process and its connections up while the run script reads /proc and CLIENT LIST.</summary>
    private static async Task HoldAsync()
    {
        Console.WriteLine("holding=1");
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
    }
}

/// <summary>A Redis client able to run the scrape pipeline.</summary>
internal interface IScrapeClient : IAsyncDisposable
{
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>One pipelined scrape; throws OperationCanceledException when the token fires first.</summary>
    Task ScrapeAsync(CancellationToken cancellationToken);

    /// <summary>What the collector does after a missed deadline.</summary>
    ValueTask AbandonAsync();

    bool LastInfoLooksRight();
}

/// <summary>A client that looks keys up over a Redis Cluster, following MOVED and ASK.</summary>
internal interface IKeyClient : IAsyncDisposable
{
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>GET, returning the length of the value (0 when absent).</summary>
    Task<long> GetLengthAsync(string key);

    /// <summary>Redirects followed (MOVED, ASK), where the client counts them.</summary>
    long Redirects { get; }
}

internal static class ScrapeCommands
{
    public static readonly string[][] Pipeline =
    [
        ["INFO", "ALL"],
        ["CONFIG", "GET", "maxmemory", "maxclients", "io-threads", "databases"],
        ["SLOWLOG", "LEN"],
        ["SLOWLOG", "GET", "1"],
        ["LATENCY", "LATEST"],
    ];
}
