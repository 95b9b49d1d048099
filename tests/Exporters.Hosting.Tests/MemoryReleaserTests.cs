using System.Runtime.InteropServices;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Scraping;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exporters.Hosting.Tests;

/// <summary>Runs alone: the releaser reads the process-wide allocation count and collects the whole heap.</summary>
[Collection(TimingCollection.Name)]
public class MemoryReleaserTests
{
    private static (MemoryReleaser Releaser, ScrapeActivity Activity) Create()
    {
        var activity = new ScrapeActivity();
        return (new MemoryReleaser(new HostSettings(), activity, TimeProvider.System, NullLogger<MemoryReleaser>.Instance), activity);
    }

    /// <summary>A releaser watching scrapes, with one scrape in flight that has allocated 8 MB past <paramref name="bytes"/>.</summary>
    private static (MemoryReleaser Releaser, ScrapeActivity Activity) ScrapeInFlight(long bytes)
    {
        var (releaser, activity) = Create();
        releaser.WatchScrapes();
        Assert.True(activity.TryEnter(limit: 0));
        Churn((int)(bytes / (1024 * 1024)) + 8);
        return (releaser, activity);
    }

    /// <summary>Waits up to 5 s for the release that follows a heavy scrape.</summary>
    private static async Task WaitForHeavyReleaseAsync(MemoryReleaser releaser)
    {
        for (var i = 0; i < 100 && releaser.ReleasesAfterHeavyScrapes == 0; i++)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Allocates <paramref name="megabytes"/> of 64 KiB arrays that live long enough to be promoted, then drops them.</summary>
    private static void Churn(int megabytes)
    {
        var keep = new List<byte[]>();
        for (var i = 0; i < megabytes * 16; i++)
        {
            var block = new byte[64 * 1024];
            block[i % block.Length] = 1;
            keep.Add(block);
            if (keep.Count == 256)
            {
                GC.Collect(1, GCCollectionMode.Forced, blocking: true);
                keep.Clear();
            }
        }

        GC.KeepAlive(keep);
    }

    [Fact]
    public void Releases_only_after_enough_allocation_and_never_during_a_scrape()
    {
        var (releaser, activity) = Create();
        Assert.False(releaser.TryRelease());

        Churn((int)(MemoryReleaser.MinimumAllocatedBytes / (1024 * 1024)) + 8);
        _ = activity.TryEnter(limit: 0);
        Assert.False(releaser.TryRelease());
        activity.Exit();

        Assert.True(releaser.TryRelease());
        Assert.Equal(1, releaser.Releases);
        Assert.False(releaser.TryRelease());
    }

    [Fact]
    public async Task A_heavy_scrape_is_collected_as_soon_as_the_last_scrape_ends()
    {
        var (releaser, activity) = ScrapeInFlight(MemoryReleaser.HeavyAllocatedBytes);
        Assert.True(activity.TryEnter(limit: 0));

        activity.Exit();
        await Task.Delay(200);
        Assert.Equal(0, releaser.Releases);

        activity.Exit();
        await WaitForHeavyReleaseAsync(releaser);

        Assert.Equal(1, releaser.ReleasesAfterHeavyScrapes);
        Assert.Equal(1, releaser.Releases);
    }

    [Fact]
    public async Task A_heavy_scrape_is_collected_even_when_the_next_scrape_starts_at_once()
    {
        var (releaser, activity) = ScrapeInFlight(MemoryReleaser.HeavyAllocatedBytes);
        activity.Exit();
        Assert.True(activity.TryEnter(limit: 0));
        try
        {
            await WaitForHeavyReleaseAsync(releaser);

            Assert.Equal(1, releaser.ReleasesAfterHeavyScrapes);
            Assert.False(releaser.TryRelease());
        }
        finally
        {
            activity.Exit();
        }
    }

    [Fact]
    public async Task A_light_scrape_leaves_the_release_to_the_interval()
    {
        var (releaser, activity) = ScrapeInFlight(MemoryReleaser.MinimumAllocatedBytes);
        activity.Exit();
        await Task.Delay(300);

        Assert.Equal(0, releaser.Releases);
        Assert.True(releaser.TryRelease());
        Assert.Equal(0, releaser.ReleasesAfterHeavyScrapes);
    }

    [Fact]
    public void Release_returns_the_memory_scrapes_left_committed()
    {
        var (releaser, _) = Create();
        Churn(160);
        var before = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;

        Assert.True(releaser.TryRelease());

        var after = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;
        Assert.True(after < before - (16L * 1024 * 1024), $"committed {before / 1048576.0:F1} MB before, {after / 1048576.0:F1} MB after");
    }

    [Fact]
    public void Release_returns_what_the_c_library_allocator_kept()
    {
        Assert.True(OperatingSystem.IsLinux(), "the host ships for Linux; this checks glibc's malloc_trim");
        var (releaser, _) = Create();
        Churn((int)(MemoryReleaser.MinimumAllocatedBytes / (1024 * 1024)) + 8);

        // 64 MB of native blocks, touched and freed, with one block left after them so the allocator cannot give
        // the space back by shrinking its heap: it keeps the pages until asked.
        var blocks = new List<IntPtr>();
        for (var i = 0; i < 16 * 1024; i++)
        {
            var block = Marshal.AllocHGlobal(4000);
            for (var offset = 0; offset < 4000; offset += 1000)
            {
                Marshal.WriteByte(block, offset, 1);
            }

            blocks.Add(block);
        }

        var pin = Marshal.AllocHGlobal(4000);
        blocks.ForEach(Marshal.FreeHGlobal);
        try
        {
            var before = Environment.WorkingSet;
            var gcBefore = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes;

            Assert.True(releaser.TryRelease());

            var nativeReleased = (before - Environment.WorkingSet) - (gcBefore - GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes);
            Assert.True(nativeReleased > 32L * 1024 * 1024, $"{nativeReleased / 1048576.0:F1} MB of native memory returned");
        }
        finally
        {
            Marshal.FreeHGlobal(pin);
        }
    }
}
