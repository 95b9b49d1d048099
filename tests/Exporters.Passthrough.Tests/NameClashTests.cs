using Exporters.Exposition;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Passthrough.Tests;

/// <summary>
/// A target whose families take each other's sample names: the re-exposed output must still hold every series once
/// and every family once, checked by the strict OpenMetrics validator and by promtool.
/// </summary>
public class NameClashTests
{
    private static readonly PassthroughCollectorDefinition Definition = new();

    /// <summary>
    /// Case 51 of <c>Passthrough_collector_survives_generated_exposition</c> with <c>EXPORTERS_FUZZ_SEED=777</c>,
    /// byte for byte. The <c>_created</c> line (not a text-format histogram sample, and with an empty label name)
    /// ends family <c>app_cihjjz</c>, so the <c>_sum</c> and <c>_count</c> lines after it start untyped families of
    /// those names, whose series the histogram also writes.
    /// </summary>
    private const string FuzzCase51 =
        "# HELP app_cihjjz gzqwuzgcwrgjgbvbxnoniunf\u01c0wo\n"
        + "# TYPE app_cihjjz histogram\n"
        + "app_cihjjz_count 1e400 1.5e-300\n"
        + "app_cihjjz_created{am=\"fimnq\",=\"wy\u014ej\u01acq\",} NaN\n"
        + "app_cihjjz_sum 1996108426330414739\n"
        + "app_cihjjz_count 1e400\n"
        + "app_cihjjz_bucket 0.8939421418560399\n"
        + "# HELP app_v\u0152v hpze\u01cbyf\n"
        + "# TYPE app_v\u0152v untyp";

    private const string SummaryReopened = """
        # HELP rpc_seconds RPC latency.
        # TYPE rpc_seconds summary
        rpc_seconds{quantile="0.5"} 0.2
        rpc_seconds_sum 4
        rpc_seconds_count 9
        # HELP queue_length Queued calls.
        # TYPE queue_length gauge
        queue_length 3
        rpc_seconds_sum 5
        rpc_seconds_count 10

        """;

    public static TheoryData<string, string, int> Documents => new()
    {
        // The untyped app_cihjjz_sum, _count and _bucket families are left out; the histogram stays.
        { "fuzz case 51", FuzzCase51, 3 },
        { "summary reopened", SummaryReopened, 2 },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Sum_and_count_lines_outside_their_family_are_never_re_exposed_twice(string name, string document, int skipped)
    {
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, document, "text/plain; version=0.0.4"));
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics" });
        var writer = await harness.ScrapeAsync();

        var openMetrics = CollectorHarness.Render(writer.Batch, ExpositionFormat.OpenMetrics);
        var problems = OpenMetricsValidator.Validate(openMetrics);
        Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}\n{openMetrics}");
        var text = CollectorHarness.Render(writer.Batch);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"{name}: {output}\n{text}");

        Assert.Contains("passthrough_up 1\n", text, StringComparison.Ordinal);
        var family = name == "fuzz case 51" ? "app_cihjjz" : "rpc_seconds";
        Assert.Single(text.Split('\n'), l => l.StartsWith(family + "_sum ", StringComparison.Ordinal));
        Assert.Single(text.Split('\n'), l => l.StartsWith(family + "_count ", StringComparison.Ordinal));
        Assert.Contains($"passthrough_families_skipped_total {skipped}\n", text, StringComparison.Ordinal);
        Assert.Contains(harness.Logger.Lines, l => l.Contains($"skipped family {family}_sum", StringComparison.Ordinal) && l.Contains($"take the name '{family}_sum'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repeated_le_or_quantile_drops_that_series_and_keeps_the_rest()
    {
        const string document = """
            # HELP h Latency.
            # TYPE h histogram
            h_bucket{a="x",le="1"} 1
            h_bucket{a="x",le="1"} 2
            h_bucket{a="x",le="+Inf"} 2
            h_sum{a="x"} 3
            h_count{a="x"} 2
            h_bucket{a="y",le="1"} 1
            h_bucket{a="y",le="+Inf"} 1
            h_sum{a="y"} 1
            h_count{a="y"} 1
            # HELP s Size.
            # TYPE s summary
            s{a="x",quantile="0.5"} 1
            s{a="x",quantile="0.5"} 2
            s_sum{a="x"} 3
            s_count{a="x"} 2
            s{a="y",quantile="0.9"} 1
            s_sum{a="y"} 1
            s_count{a="y"} 1

            """;
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, document, "text/plain; version=0.0.4"));
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics" });
        var writer = await harness.ScrapeAsync();

        Assert.Empty(OpenMetricsValidator.Validate(CollectorHarness.Render(writer.Batch, ExpositionFormat.OpenMetrics)));
        var text = CollectorHarness.Render(writer.Batch);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("a=\"x\"", text, StringComparison.Ordinal);
        Assert.Contains("h_count{a=\"y\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("s_count{a=\"y\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("passthrough_malformed_lines_total 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gauge_beside_a_counter_of_the_same_name_plus_total_stays_two_families_in_openmetrics()
    {
        const string document = """
            # HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.
            # TYPE go_memstats_alloc_bytes gauge
            go_memstats_alloc_bytes 2.5e+06
            # HELP go_memstats_alloc_bytes_total Total number of bytes allocated, even if freed.
            # TYPE go_memstats_alloc_bytes_total counter
            go_memstats_alloc_bytes_total 9.1e+07

            """;
        await using var server = new ScriptedHttpServer(_ => new ScriptedResponse(200, document, "text/plain; version=0.0.4"));
        await using var harness = CollectorHarness.Create(Definition, new Dictionary<string, string?> { ["uri"] = server.BaseUri + "metrics" });
        var writer = await harness.ScrapeAsync();

        var openMetrics = CollectorHarness.Render(writer.Batch, ExpositionFormat.OpenMetrics);
        var problems = OpenMetricsValidator.Validate(openMetrics);
        Assert.True(problems.Count == 0, string.Join("; ", problems) + "\n" + openMetrics);
        Assert.Contains("# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 2500000\n", openMetrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE go_memstats_alloc_bytes_total unknown\ngo_memstats_alloc_bytes_total 91000000\n", openMetrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE go_memstats_alloc_bytes_total counter\n", CollectorHarness.Render(writer.Batch), StringComparison.Ordinal);
    }
}
