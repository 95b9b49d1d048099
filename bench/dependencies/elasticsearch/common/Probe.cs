using System.Diagnostics;

namespace EsProbe;

/// <summary>
/// One client reads the /_stats of a cluster with many indices and sums primaries.docs.count over them. Memory is
/// printed before, at the peak (VmHWM) and after the response is dropped and a full collection ran.
/// </summary>
internal static class Probe
{
    public static async Task<int> RunAsync(string[] args, Func<Uri, string, Task<(int Indices, long Docs)>> readStats)
    {
        if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var uri))
        {
            await Console.Error.WriteLineAsync("usage: probe http://127.0.0.1:PORT (serving /small/_stats and /_stats)");
            return 2;
        }

        try
        {
            var warm = await readStats(uri, "small");
            Console.WriteLine($"warm_up_indices={warm.Indices}");
            Memory.Collect();
            Memory.Print("before");
            var clock = Stopwatch.StartNew();
            var (indices, docs) = await readStats(uri, "_all");
            clock.Stop();
            Console.WriteLine($"indices={indices}");
            Console.WriteLine($"docs_sum={docs}");
            Console.WriteLine($"ms={clock.Elapsed.TotalMilliseconds:F0}");
            Memory.Print("peak");
            Memory.Collect();
            Memory.Print("kept");
            Console.WriteLine("works=yes");
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.WriteLine("works=no");
            var first = e;
            while (first.InnerException is not null && first is not NotSupportedException and not PlatformNotSupportedException)
            {
                first = first.InnerException;
            }

            Console.WriteLine($"error={e.GetType().Name}: {e.Message.Split('\n')[0]}");
            if (!ReferenceEquals(first, e))
            {
                Console.WriteLine($"inner_error={first.GetType().Name}: {first.Message.Split('\n')[0]}");
            }

            return 1;
        }
    }
}
