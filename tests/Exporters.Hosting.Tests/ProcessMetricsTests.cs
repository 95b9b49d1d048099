using System.Diagnostics;
using Exporters.Abstractions.Metrics;
using Exporters.Hosting.SelfMetrics;
using Exporters.Testing;

namespace Exporters.Hosting.Tests;

/// <summary>The process_* figures read from /proc agree with what the framework's Process class reports.</summary>
[Collection(ProcessWideCollection.Name)]
public class ProcessMetricsTests
{
    private static string Render()
    {
        var writer = new MetricWriter();
        ProcessMetrics.Write(writer);
        return CollectorHarness.Render(writer.Batch);
    }

    [Fact]
    public void Figures_from_proc_match_the_process_class()
    {
        var text = Render();
        using var process = Process.GetCurrentProcess();
        process.Refresh();

        var start = MetricText.Require(text, "process_start_time_seconds");
        Assert.InRange(start, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds() - 2, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds() + 2);

        var resident = MetricText.Require(text, "process_resident_memory_bytes");
        Assert.InRange(resident, process.WorkingSet64 * 0.8, process.WorkingSet64 * 1.25);
        Assert.InRange(MetricText.Require(text, "process_virtual_memory_bytes"), process.VirtualMemorySize64 * 0.9, process.VirtualMemorySize64 * 1.1);

        var cpu = MetricText.Require(text, "process_cpu_seconds_total");
        Assert.InRange(cpu, process.TotalProcessorTime.TotalSeconds - 0.5, process.TotalProcessorTime.TotalSeconds + 0.5);
        Assert.True(cpu > 0);
    }

    [Fact]
    public void Open_descriptors_follow_files_opened_and_closed()
    {
        var before = MetricText.Require(Render(), "process_open_fds");
        var files = Enumerable.Range(0, 10).Select(_ => File.OpenRead("/proc/self/status")).ToList();
        var during = MetricText.Require(Render(), "process_open_fds");
        files.ForEach(f => f.Dispose());
        var after = MetricText.Require(Render(), "process_open_fds");

        Assert.InRange(during - before, 9, 11);
        Assert.InRange(after, before - 2, before + 2);
        Assert.InRange(after, Directory.GetFileSystemEntries("/proc/self/fd").Length - 3, Directory.GetFileSystemEntries("/proc/self/fd").Length + 3);
        Assert.True(MetricText.Require(Render(), "process_max_fds") >= after);
    }

    [Fact]
    public void Every_scrape_reads_the_figures_afresh()
    {
        var first = MetricText.Require(Render(), "process_cpu_seconds_total");
        var spin = Stopwatch.StartNew();
        var sum = 0L;
        while (spin.ElapsedMilliseconds < 400)
        {
            sum += spin.ElapsedTicks % 7;
        }

        GC.KeepAlive(sum);
        var second = MetricText.Require(Render(), "process_cpu_seconds_total");
        Assert.True(second >= first + 0.2, $"cpu {first} then {second} after 400 ms of spinning");
    }

    [Fact]
    public void Max_descriptors_is_the_soft_limit_proc_reports()
    {
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var expected = soft == "unlimited" ? double.PositiveInfinity : double.Parse(soft, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, MetricText.Require(Render(), "process_max_fds"));
    }
}
