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

    /// <summary>How often a due release looks again for a moment without scrapes.</summary>
    private static readonly TimeSpan QuietPoll = TimeSpan.FromMilliseconds(20);

    private long _allocatedAtLastRelease = GC.GetTotalAllocatedBytes();

    /// <summary>Releases done since start.</summary>
    public long Releases { get; private set; }

    /// <summary>Releases when due: enough allocated since the last one and no scrape running.</summary>
    /// <returns>True when memory was released.</returns>
    public bool TryRelease()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - _allocatedAtLastRelease < MinimumAllocatedBytes || activity.InFlight > 0)
        {
            return false;
        }

        var logged = logger.IsEnabled(LogLevel.Debug);
        var before = logged ? Environment.WorkingSet : 0;
        var started = time.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        _allocatedAtLastRelease = GC.GetTotalAllocatedBytes();
        Releases++;
        if (logged)
        {
            LogReleased(logger, (before - Environment.WorkingSet) / (1024.0 * 1024.0), time.GetElapsedTime(started).TotalMilliseconds);
        }
        return true;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = settings.MemoryReleaseInterval.Value;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "returned memory to the system after scrapes: {ReleasedMegabytes:F1} MB in {Milliseconds:F1} ms")]
    private static partial void LogReleased(ILogger logger, double releasedMegabytes, double milliseconds);

    private static partial class NativeMethods
    {
        // The soname, not "libc": without the C development files "libc.so" does not exist, and where it does it is a linker script.
        [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int MallocTrim(nuint pad);
    }
}
