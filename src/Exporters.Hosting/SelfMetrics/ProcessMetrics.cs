using System.Diagnostics;
using Exporters.Abstractions.Metrics;

namespace Exporters.Hosting.SelfMetrics;

/// <summary>The standard <c>process_*</c> metrics every Prometheus client exposes, and .NET runtime metrics.</summary>
internal static class ProcessMetrics
{
    private static readonly CounterDefinition CpuSeconds = new("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", unit: "seconds");
    private static readonly GaugeDefinition ResidentMemory = new("process_resident_memory_bytes", "Resident memory size in bytes.", unit: "bytes");
    private static readonly GaugeDefinition VirtualMemory = new("process_virtual_memory_bytes", "Virtual memory size in bytes.", unit: "bytes");
    private static readonly GaugeDefinition OpenFds = new("process_open_fds", "Number of open file descriptors.");
    private static readonly GaugeDefinition MaxFds = new("process_max_fds", "Maximum number of open file descriptors.");
    private static readonly GaugeDefinition StartTime = new("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", unit: "seconds");
    private static readonly GaugeDefinition HeapSize = new("dotnet_gc_heap_size_bytes", "Bytes in the managed heap after the last garbage collection, fragmentation included.", unit: "bytes");
    private static readonly GaugeDefinition TotalMemory = new("dotnet_total_memory_bytes", "Bytes the garbage collector thinks are allocated and live.", unit: "bytes");
    private static readonly CounterDefinition Allocated = new("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start.", unit: "bytes");
    private static readonly CounterDefinition Collections = new("dotnet_gc_collections_total", "Garbage collections since start, by generation.", ["generation"]);
    private static readonly GaugeDefinition PauseRatio = new("dotnet_gc_pause_ratio", "Fraction of time since start spent paused in garbage collection.", unit: "ratio");
    private static readonly GaugeDefinition ThreadPoolThreads = new("dotnet_threadpool_threads", "Thread pool threads.");
    private static readonly GaugeDefinition ThreadPoolQueue = new("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not started.");
    private static readonly CounterDefinition ThreadPoolCompleted = new("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed.");
    private static readonly CounterDefinition Exceptions = new("dotnet_exceptions_total", "Exceptions thrown since start, including those caught.");
    private static readonly string[] Generations = ["0", "1", "2"];
    private static long _exceptions;
    private static int _subscribed;

    /// <summary>Starts counting exceptions; call once at start-up.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += static (_, _) => Interlocked.Increment(ref _exceptions);
        }
    }

    /// <summary>Writes process and runtime metrics.</summary>
    /// <param name="writer">The writer.</param>
    public static void Write(MetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (OperatingSystem.IsLinux() && ProcSelf.TryReadStat(out var cpu, out var virtualBytes, out var resident, out var start))
        {
            writer.Write(CpuSeconds, cpu);
            writer.Write(ResidentMemory, resident);
            writer.Write(VirtualMemory, virtualBytes);
            writer.Write(StartTime, start);
        }
        else
        {
            using var process = Process.GetCurrentProcess();
            writer.Write(CpuSeconds, process.TotalProcessorTime.TotalSeconds);
            writer.Write(ResidentMemory, process.WorkingSet64);
            writer.Write(VirtualMemory, process.VirtualMemorySize64);
            writer.Write(StartTime, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000d);
        }

        if (OperatingSystem.IsLinux())
        {
            if (ProcSelf.CountOpenDescriptors() is { } open)
            {
                writer.Write(OpenFds, open);
            }

            if (ProcSelf.MaxOpenDescriptors() is { } max)
            {
                writer.Write(MaxFds, max);
            }
        }

        var gc = GC.GetGCMemoryInfo();
        writer.Write(HeapSize, gc.HeapSizeBytes);
        writer.Write(TotalMemory, GC.GetTotalMemory(forceFullCollection: false));
        writer.Write(Allocated, GC.GetTotalAllocatedBytes());
        for (var generation = 0; generation < Generations.Length; generation++)
        {
            writer.Write(Collections, GC.CollectionCount(generation), Generations[generation]);
        }

        writer.Write(PauseRatio, gc.PauseTimePercentage / 100d);
        writer.Write(ThreadPoolThreads, ThreadPool.ThreadCount);
        writer.Write(ThreadPoolQueue, ThreadPool.PendingWorkItemCount);
        writer.Write(ThreadPoolCompleted, ThreadPool.CompletedWorkItemCount);
        writer.Write(Exceptions, Interlocked.Read(ref _exceptions));
    }
}
