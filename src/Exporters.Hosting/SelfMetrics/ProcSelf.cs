using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Exporters.Hosting.SelfMetrics;

/// <summary>
/// The process' own figures read straight from <c>/proc/self</c>, the way client_golang's process collector reads
/// them: one read of <c>stat</c> per scrape, and the descriptors counted by reading the directory. The framework's
/// <c>Process</c> class opens several files, stats every descriptor and locks as it goes, which in a sidecar scraped
/// every few seconds cost more than the rest of the host's own metrics together.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class ProcSelf
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK
    private const int OpenFilesLimit = 7; // RLIMIT_NOFILE
    private static readonly Lazy<Clock?> Ticks = new(ReadClock);
    private static readonly Lazy<Microsoft.Win32.SafeHandles.SafeFileHandle> StatHandle = new(
        () => File.OpenHandle("/proc/self/stat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    /// <summary>CPU time, virtual and resident memory from <c>/proc/self/stat</c>.</summary>
    /// <param name="cpuSeconds">User and system CPU seconds.</param>
    /// <param name="virtualBytes">Virtual memory size.</param>
    /// <param name="residentBytes">Resident memory size.</param>
    /// <param name="startSeconds">Start time, seconds since the epoch.</param>
    /// <returns>Whether the file could be read and parsed.</returns>
    public static bool TryReadStat(out double cpuSeconds, out double virtualBytes, out double residentBytes, out double startSeconds)
    {
        cpuSeconds = virtualBytes = residentBytes = startSeconds = 0;
        if (Ticks.Value is not { } clock)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[1024];
        int length;
        try
        {
            // procfs writes the file afresh for every read from offset 0, so one descriptor serves every scrape: no
            // open, stat, lock and close per scrape (a third of the host's system time under steady scraping).
            length = RandomAccess.Read(StatHandle.Value, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // The command name may hold spaces and parentheses; the fields start after its last ')'.
        var text = buffer[..length];
        var close = text.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        Span<long> fields = stackalloc long[22];
        var rest = text[(close + 2)..];
        for (var field = 0; field < fields.Length; field++)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            fields[field] = field == 0 ? 0 : long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
            if (space < 0)
            {
                break;
            }

            rest = rest[(space + 1)..];
        }

        // Fields of proc(5), counted from state (field 3) as 0.
        cpuSeconds = (fields[11] + fields[12]) / (double)clock.TicksPerSecond;
        startSeconds = clock.BootSeconds + (fields[19] / (double)clock.TicksPerSecond);
        virtualBytes = fields[20];
        residentBytes = fields[21] * (double)Environment.SystemPageSize;
        return true;
    }

    /// <summary>Open file descriptors: the entries of <c>/proc/self/fd</c>, read without looking at each one.</summary>
    /// <returns>The count, or null when the directory cannot be read.</returns>
    public static int? CountOpenDescriptors()
    {
        try
        {
            var directory = NativeMethods.OpenDirectory("/proc/self/fd");
            if (directory == IntPtr.Zero)
            {
                return null;
            }

            var entries = 0;
            while (NativeMethods.ReadDirectory(directory) != IntPtr.Zero)
            {
                entries++;
            }

            _ = NativeMethods.CloseDirectory(directory);

            // "." and ".." are not descriptors; the one the listing holds open is, as client_golang counts it too.
            return entries - 2;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The soft limit on open descriptors (<c>getrlimit</c>, as <c>Max open files</c> in <c>/proc/self/limits</c>).</summary>
    /// <returns>The limit, infinity when unlimited, or null when it cannot be read.</returns>
    public static double? MaxOpenDescriptors()
    {
        try
        {
            if (NativeMethods.GetResourceLimit(OpenFilesLimit, out var limit) != 0)
            {
                return null;
            }

            return limit.Soft == ulong.MaxValue ? double.PositiveInfinity : limit.Soft;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private static Clock? ReadClock()
    {
        try
        {
            var ticks = NativeMethods.SystemConfiguration(ClockTicksName);
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), NumberStyles.Integer, CultureInfo.InvariantCulture, out var boot) && ticks > 0)
                {
                    return new Clock(ticks, boot);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EntryPointNotFoundException or DllNotFoundException)
        {
        }

        return null;
    }

    private sealed record Clock(long TicksPerSecond, long BootSeconds);

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    private static partial class NativeMethods
    {
        // The soname, not "libc": without the C development files "libc.so" does not exist.
        [LibraryImport("libc.so.6", EntryPoint = "sysconf")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial long SystemConfiguration(int name);

        [LibraryImport("libc.so.6", EntryPoint = "getrlimit")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int GetResourceLimit(int resource, out ResourceLimit limit);

        [LibraryImport("libc.so.6", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial IntPtr OpenDirectory(string path);

        [LibraryImport("libc.so.6", EntryPoint = "readdir64")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial IntPtr ReadDirectory(IntPtr directory);

        [LibraryImport("libc.so.6", EntryPoint = "closedir")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int CloseDirectory(IntPtr directory);
    }
}
