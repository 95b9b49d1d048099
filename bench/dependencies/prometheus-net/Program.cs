using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Exposition;
using Prometheus;

namespace PrometheusNetProbe;

/// <summary>
/// prometheus-net 8.2.1 used the way a collector would need it, against the project's MetricWriter and
/// ExpositionDocument doing the same: key=value lines for the run script.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        await StaleAsync();
        await ConcurrentAsync(rounds);
        await RenderAsync(iterations);
        return 0;
    }

    /// <summary>
    /// A target had databases db0..db2 at the first scrape and only db0..db1 at the second. The registry keeps what
    /// was set once until it is removed by hand; a batch written per scrape has only what the scrape saw.
    /// </summary>
    private static async Task StaleAsync()
    {
        var registry = Metrics.NewCustomRegistry();
        var keys = Metrics.WithCustomRegistry(registry).CreateGauge("target_db_keys", "Keys per database.", ["db"]);
        var databases = new[] { "db0", "db1", "db2" };
        registry.AddBeforeCollectCallback(() =>
        {
            foreach (var db in databases)
            {
                keys.WithLabels(db).Set(1);
            }
        });
        await ExportAsync(registry);
        databases = ["db0", "db1"];
        var second = await ExportAsync(registry);
        Console.WriteLine($"stale_series_prometheus_net={CountLines(second, "target_db_keys{") - databases.Length}");
        keys.RemoveLabelled("db2");
        Console.WriteLine($"stale_series_prometheus_net_after_RemoveLabelled={CountLines(await ExportAsync(registry), "target_db_keys{") - databases.Length}");

        var definition = new GaugeDefinition("target_db_keys", "Keys per database.", ["db"]);
        var writer = new MetricWriter();
        foreach (var db in databases)
        {
            writer.Write(definition, 1, db);
        }

        Console.WriteLine($"stale_series_exposition={CountLines(Render(writer.Batch), "target_db_keys{") - databases.Length}");
    }

    /// <summary>
    /// Two scrapes at once, <paramref name="rounds"/> times: each scrape's collector writes one snapshot (one number
    /// into 1,000 series). A document mixes snapshots when its series do not all hold the same number.
    /// </summary>
    private static async Task ConcurrentAsync(int rounds)
    {
        const int Series = 1000;
        var labels = Enumerable.Range(0, Series).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var registry = Metrics.NewCustomRegistry();
        var gauge = Metrics.WithCustomRegistry(registry).CreateGauge("snapshot_value", "The snapshot each series was written by.", ["series"]);
        var children = labels.Select(l => gauge.WithLabels(l)).ToArray();
        long snapshot = 0;
        registry.AddBeforeCollectCallback(() =>
        {
            var id = Interlocked.Increment(ref snapshot);
            foreach (var child in children)
            {
                child.Set(id);
            }
        });
        var mixed = await CountMixedAsync(rounds, async () => await ExportAsync(registry));
        Console.WriteLine($"mixed_documents_prometheus_net={mixed}");

        var definition = new GaugeDefinition("snapshot_value", "The snapshot each series was written by.", ["series"]);
        long ours = 0;
        mixed = await CountMixedAsync(rounds, () =>
        {
            var writer = new MetricWriter();
            var id = Interlocked.Increment(ref ours);
            foreach (var label in labels)
            {
                writer.Write(definition, id, label);
            }

            return Task.FromResult(Render(writer.Batch));
        });
        Console.WriteLine($"mixed_documents_exposition={mixed}");
        Console.WriteLine($"documents={rounds * 2}");
    }

    private static async Task<int> CountMixedAsync(int rounds, Func<Task<string>> scrape)
    {
        var mixed = 0;
        for (var round = 0; round < rounds; round++)
        {
            using var start = new ManualResetEventSlim();
            var first = Task.Run(async () => { start.Wait(); return await scrape(); });
            var second = Task.Run(async () => { start.Wait(); return await scrape(); });
            start.Set();
            foreach (var document in await Task.WhenAll(first, second))
            {
                var values = document.Split('\n').Where(l => l.StartsWith("snapshot_value{", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(' ') + 1)..]).Distinct(StringComparer.Ordinal).Count();
                if (values > 1)
                {
                    mixed++;
                }
            }
        }

        return mixed;
    }

    /// <summary>100 families of 100 series with two labels (bench/exposition's shape): time and bytes per render.</summary>
    private static async Task RenderAsync(int iterations)
    {
        const int Families = 100;
        const int SeriesPerFamily = 100;
        var commands = Enumerable.Range(0, SeriesPerFamily).Select(i => "command_" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var gauges = Enumerable.Range(0, Families).Select(f => factory.CreateGauge($"bench_metric_{f}_bytes", "A benchmark family with a help text of ordinary length.", ["db", "cmd"])).ToArray();
        var children = gauges.Select(g => commands.Select(c => g.WithLabels("db0", c)).ToArray()).ToArray();
        void SetAll()
        {
            for (var f = 0; f < Families; f++)
            {
                for (var s = 0; s < SeriesPerFamily; s++)
                {
                    children[f][s].Set((f * 1000) + s + 0.5);
                }
            }
        }

        SetAll();
        using var stream = new MemoryStream(4 * 1024 * 1024);
        async Task<long> Export()
        {
            stream.SetLength(0);
            await registry.CollectAndExportAsTextAsync(stream);
            return stream.Length;
        }

        var definitions = Enumerable.Range(0, Families).Select(f => new GaugeDefinition($"bench_metric_{f}_bytes", "A benchmark family with a help text of ordinary length.", ["db", "cmd"], "bytes")).ToArray();
        var buffer = new ArrayBufferWriter<byte>(4 * 1024 * 1024);
        MetricBatch Write()
        {
            var writer = new MetricWriter();
            for (var f = 0; f < Families; f++)
            {
                for (var s = 0; s < SeriesPerFamily; s++)
                {
                    writer.Write(definitions[f], (f * 1000) + s + 0.5, "db0", commands[s]);
                }
            }

            return writer.Batch;
        }

        var batch = Write();
        long RenderBatch(MetricBatch b)
        {
            buffer.ResetWrittenCount();
            ExpositionDocument.Create([new ExpositionSource(b)]).WriteTo(buffer, Exporters.Exposition.ExpositionFormat.Text);
            return buffer.WrittenCount;
        }

        Console.WriteLine($"render_series={Families * SeriesPerFamily}");
        Console.WriteLine($"render_document_bytes_prometheus_net={await Export()}");
        Console.WriteLine($"render_document_bytes_exposition={RenderBatch(batch)}");
        await CompareAsync(iterations, ("render_prometheus_net", Export), ("render_exposition", () => Task.FromResult(RenderBatch(batch))));
        await CompareAsync(
            iterations,
            ("set_and_render_prometheus_net", async () =>
            {
                SetAll();
                return await Export();
            }),
            ("write_and_render_exposition", () => Task.FromResult(RenderBatch(Write()))));
    }

    /// <summary>
    /// Warms both up, then runs them in ten alternating blocks so that a change in the machine's load hits both alike;
    /// prints the median block's microseconds per call and the bytes allocated (all threads) per call.
    /// </summary>
    private static async Task CompareAsync(int iterations, params (string Name, Func<Task<long>> Action)[] candidates)
    {
        const int Blocks = 10;
        var perBlock = Math.Max(1, iterations / Blocks);
        var times = candidates.Select(_ => new List<double>()).ToArray();
        var allocated = new long[candidates.Length];
        foreach (var (_, action) in candidates)
        {
            for (var i = 0; i < Math.Max(5, perBlock); i++)
            {
                await action();
            }
        }

        for (var block = 0; block < Blocks; block++)
        {
            for (var c = 0; c < candidates.Length; c++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < perBlock; i++)
                {
                    await candidates[c].Action();
                }

                clock.Stop();
                allocated[c] += GC.GetTotalAllocatedBytes(precise: true) - before;
                times[c].Add(clock.Elapsed.TotalMicroseconds / perBlock);
            }
        }

        for (var c = 0; c < candidates.Length; c++)
        {
            Console.WriteLine($"{candidates[c].Name}_us={times[c].Order().ElementAt(Blocks / 2):F0}");
            Console.WriteLine($"{candidates[c].Name}_bytes={allocated[c] / (Blocks * perBlock)}");
        }
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string Render(MetricBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ExpositionDocument.Create([new ExpositionSource(batch)]).WriteTo(buffer, Exporters.Exposition.ExpositionFormat.Text);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static int CountLines(string document, string prefix) =>
        document.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
