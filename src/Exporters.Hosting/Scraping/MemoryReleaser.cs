using System.Runtime.InteropServices;
using Exporters.Hosting.Configuration;

namespace Exporters.Hosting.Scraping;

/// <summary>
/// Hands the memory the garbage collector keeps committed after scrapes back to the operating system, at a moment
/// when no scrape is running and at most once per <see cref="HostSettings.MemoryReleaseInterval"/>.
/// </summary>
/// <remarks>
/// The runtime keeps the regions a burst of allocation touched committed and releases them lazily, and sizes its
/// young generation from the CPU cache rather than from what the process needs. Under steady scraping that shows as
/// resident memory creeping up for tens of minutes, which a sidecar's pod is charged for. Between scrapes almost
/// everything on the heap is garbage, so a compacting collection that also decommits costs a few milliseconds;
/// it runs only when scrapes have allocated enough since the last one to be worth it, and never during a scrape.
/// <para>A scrape that allocates a lot by itself (an Elasticsearch cluster of thousands of indices: hundreds of
/// thousands of series, tens of megabytes of JSON) leaves its series in the oldest generation, where the runtime
/// collects them only after the next such scrape has added its own: two scrapes' worth resident at once. So when
/// the last scrape in progress ends with at least <see cref="HeavyAllocatedBytes"/> allocated since the last
/// release, a compacting collection runs 10 ms later (once the request's frames have returned), without waiting
/// for the interval or for a moment without scrapes. It keeps the freed space committed for the next scrape (the
/// interval's release returns it), so the next scrape does not fault it in afresh.</para>
/// <para>The runtime's own native allocations (the JIT, sockets, TLS) go through the C library's allocator, which
/// keeps one arena per thread that ever allocated and returns little of it by itself; with the thread pool's
/// threads taking turns that grows by megabytes an hour. On glibc the release also trims those arenas
/// (<c>malloc_trim</c>); elsewhere that step is skipped.</para>
/// </remarks>
/// <param name="settings">Process settings.</param>
/// <param name="activity">Scrapes in progress.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Logger.</param>
internal sealed partial class MemoryReleaser(HostSettings settings, ScrapeActivity activity, TimeProvider time, ILogger<MemoryReleaser> logger) : BackgroundService
{
    /// <summary>Allocation since the last release below which a release is not worth a collection.</summary>
    public const long MinimumAllocatedBytes = 32L * 1024 * 1024;

    /// <summary>Allocation since the last release after which the end of a scrape releases at once.</summary>
    public const long HeavyAllocatedBytes = 64L * 1024 * 1024;

    /// <summary>
    /// How long after the last scrape ends the release after a heavy scrape waits: the thread that ended it may still
    /// be returning through the frames that hold its series, and a collection at that instant would keep them.
    /// </summary>
    private static readonly TimeSpan UnwindDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>How often a due release looks again for a moment without scrapes.</summary>
    private static readonly TimeSpan QuietPoll = TimeSpan.FromMilliseconds(20);

    private long _allocatedAtLastRelease = GC.GetTotalAllocatedBytes();
    private long _releases;
    private long _afterHeavyScrapes;
    private int _releasing;
    private int _heavyReleaseScheduled;
    private bool _watching;

    /// <summary>Releases done since start, both kinds.</summary>
    public long Releases => Interlocked.Read(ref _releases);

    /// <summary>Of <see cref="Releases"/>, those run at the end of a heavy scrape.</summary>
    public long ReleasesAfterHeavyScrapes => Interlocked.Read(ref _afterHeavyScrapes);

    /// <summary>Starts releasing at the end of heavy scrapes (the host calls this when the interval is not 0).</summary>
    public void WatchScrapes()
    {
        if (_watching)
        {
            return;
        }

        _watching = true;
        activity.OnQuiet(() =>
        {
            if (GC.GetTotalAllocatedBytes() - Interlocked.Read(ref _allocatedAtLastRelease) >= HeavyAllocatedBytes
                && Interlocked.Exchange(ref _heavyReleaseScheduled, 1) == 0)
            {
                _ = ReleaseAfterHeavyScrapeAsync();
            }
        });
    }

    /// <summary>
    /// The release at the end of a heavy scrape, when due. It does not wait for a moment without scrapes: one that
    /// started since has allocated little yet, so the collection is short, and waiting would miss back-to-back scrapes.
    /// </summary>
    /// <returns>True when memory was released.</returns>
    public bool TryReleaseAfterHeavyScrape() => Release(HeavyAllocatedBytes, afterHeavyScrape: true);

    private async Task ReleaseAfterHeavyScrapeAsync()
    {
        try
        {
            await Task.Delay(UnwindDelay, time).ConfigureAwait(false);
            TryReleaseAfterHeavyScrape();
        }
        finally
        {
            Volatile.Write(ref _heavyReleaseScheduled, 0);
        }
    }

    /// <summary>Releases when due: enough allocated since the last one and no scrape running.</summary>
    /// <returns>True when memory was released.</returns>
    public bool TryRelease() => Release(MinimumAllocatedBytes, afterHeavyScrape: false);

    private bool Release(long minimumAllocated, bool afterHeavyScrape)
    {
        if (GC.GetTotalAllocatedBytes() - Interlocked.Read(ref _allocatedAtLastRelease) < minimumAllocated || (!afterHeavyScrape && activity.InFlight > 0)
            || Interlocked.Exchange(ref _releasing, 1) == 1)
        {
            return false;
        }

        try
        {
            var logged = logger.IsEnabled(LogLevel.Debug);
            var before = logged ? Environment.WorkingSet : 0;
            var started = time.GetTimestamp();
            if (afterHeavyScrape)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                Interlocked.Increment(ref _afterHeavyScrapes);
            }
            else
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                TrimNativeHeap();
            }

            Interlocked.Exchange(ref _allocatedAtLastRelease, GC.GetTotalAllocatedBytes());
            Interlocked.Increment(ref _releases);
            if (logged)
            {
                LogReleased(logger, afterHeavyScrape ? "after a heavy scrape" : "between scrapes", (before - Environment.WorkingSet) / (1024.0 * 1024.0), time.GetElapsedTime(started).TotalMilliseconds);
            }

            return true;
        }
        finally
        {
            Volatile.Write(ref _releasing, 0);
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = settings.MemoryReleaseInterval.Value;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        WatchScrapes();

        try
        {
            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Wait for a gap between scrapes, but no longer than one interval: under back-to-back load the
                // release is skipped rather than made to delay a scrape.
                var deadline = time.GetTimestamp() + (long)(interval.TotalSeconds * time.TimestampFrequency);
                while (activity.InFlight > 0 && time.GetTimestamp() < deadline)
                {
                    await Task.Delay(QuietPoll, time, stoppingToken);
                }

                TryRelease();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool _nativeTrimUnavailable;

    private static void TrimNativeHeap()
    {
        if (_nativeTrimUnavailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = NativeMethods.MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // musl (Alpine) has no malloc_trim; its allocator returns memory by itself.
            _nativeTrimUnavailable = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "collected {When}: {ReleasedMegabytes:F1} MB returned to the system in {Milliseconds:F1} ms")]
    private static partial void LogReleased(ILogger logger, string when, double releasedMegabytes, double milliseconds);

    private static partial class NativeMethods
    {
        // The soname, not "libc": without the C development files "libc.so" does not exist, and where it does it is a linker script.
        [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int MallocTrim(nuint pad);
    }
}
