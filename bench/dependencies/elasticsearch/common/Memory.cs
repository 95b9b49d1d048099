namespace EsProbe;

/// <summary>Resident memory of this process, from /proc/self/status.</summary>
internal static class Memory
{
    /// <summary>Prints VmRSS and VmHWM (peak) in MB as key=value lines, with <paramref name="stage"/> as prefix.</summary>
    public static void Print(string stage)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            var parts = line.Split(':', StringSplitOptions.TrimEntries);
            if (parts is ["VmRSS" or "VmHWM", var value])
            {
                var kilobytes = long.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                Console.WriteLine($"{stage}_{parts[0]}_mb={kilobytes / 1024.0:F1}");
            }
        }
    }

    /// <summary>Drops what can be dropped before "kept" is read: a full blocking collection, finalizers, another.</summary>
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
