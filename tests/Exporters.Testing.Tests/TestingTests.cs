using Exporters.SamplePlugin;

namespace Exporters.Testing.Tests;

/// <summary>The testing package as a collector author uses it, on the sample collector.</summary>
public class TestingTests
{
    private static CollectorHarness Sample(params (string Key, string? Value)[] settings) =>
        CollectorHarness.Create(new SampleCollectorDefinition(), settings.ToDictionary(s => s.Key, s => s.Value));

    [Fact]
    public async Task Collect_and_compare_passes_on_the_families_named_and_ignores_the_others()
    {
        await using var harness = Sample(("series", "2"));
        await harness.CollectAndCompareAsync(
            """
            # HELP sample_value A value per series index.
            # TYPE sample_value gauge
                sample_value{index="0"} 0
                sample_value{index="1"} 1

            # HELP sample_up Whether the sample target answered.
            # TYPE sample_up gauge
            sample_up 1
            """,
            "sample_up",
            "sample_value");
    }

    [Fact]
    public async Task Collect_and_compare_fails_with_both_texts_when_a_value_differs()
    {
        await using var harness = Sample(("series", "1"));
        var error = await Assert.ThrowsAsync<ExpositionMismatchException>(() => harness.CollectAndCompareAsync(
            """
            # HELP sample_up Whether the sample target answered.
            # TYPE sample_up gauge
            sample_up 0
            """,
            "sample_up"));
        Assert.EndsWith("sample_up 0", error.Expected, StringComparison.Ordinal);
        Assert.EndsWith("sample_up 1", error.Actual, StringComparison.Ordinal);
        Assert.Contains("--- expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Histogram_and_summary_samples_belong_to_their_family()
    {
        await using var harness = Sample(("series", "0"));
        var lines = ExpositionComparison.Select(await harness.CollectAsTextAsync(), "sample_latency_seconds");
        Assert.Contains("sample_latency_seconds_bucket{op=\"get\",le=\"0.01\"} 2", lines);
        Assert.Contains("sample_latency_seconds_count{op=\"get\"} 8", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("sample_size_bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collect_and_count_counts_series()
    {
        await using var harness = Sample(("series", "5"));
        Assert.Equal(5, await harness.CollectAndCountAsync("sample_value"));
        Assert.Equal(1, await harness.CollectAndCountAsync("sample_up"));
    }

    [Fact]
    public async Task Collect_and_lint_finds_nothing_wrong_with_valid_output()
    {
        await using var harness = Sample(("series", "3"));
        Assert.Empty(await harness.CollectAndLintAsync());
    }

    [Fact]
    public void The_openmetrics_check_reports_broken_output_with_line_numbers()
    {
        var problems = OpenMetricsValidator.Validate("# TYPE x counter\nx 1\n");
        Assert.NotEmpty(problems);
        Assert.Contains(problems, p => p.Contains("EOF", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_are_bound_and_validated_the_hosts_way_with_every_key_named()
    {
        var (_, errors) = CollectorHarness.BindOptions(new SampleCollectorDefinition(), new Dictionary<string, string?> { ["series"] = "many", ["timeout"] = "0", ["seris"] = "1" });
        Assert.Contains(errors.Errors, e => e.Key == "series" && e.Message.Contains("'many' is not a whole number", StringComparison.Ordinal));
        Assert.Contains(errors.Errors, e => e.Key == "seris" && e.Message.StartsWith("unknown key", StringComparison.Ordinal));

        var (_, common) = CollectorHarness.BindOptions(new SampleCollectorDefinition(), new Dictionary<string, string?> { ["timeout"] = "0" });
        Assert.Equal("timeout", Assert.Single(common.Errors).Key);

        var error = Assert.Throws<InvalidOperationException>(() => Sample(("series", "x")));
        Assert.Contains("series: 'x' is not a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collector_that_reports_its_target_down_is_seen_as_such()
    {
        await using var harness = Sample(("down", "true"));
        Assert.Equal(0, MetricText.Require(await harness.CollectAsTextAsync(), "sample_up"));
    }

    [Fact]
    public async Task The_whole_host_runs_in_process_with_the_composition_and_configuration_given()
    {
        await using var exporter = await TestExporter.StartAsync(
            builder => builder.AddCollector(new SampleCollectorDefinition()),
            yaml: """
                collectors:
                  sample: {series: 2}
                  broken: {type: sample, fail: true}
                """);
        var text = await exporter.ScrapeAsync();
        Assert.Equal(1, MetricText.Require(text, "sample_up{collector_instance=\"sample\"}"));
        Assert.Equal(0, MetricText.Require(text, "sample_up{collector_instance=\"broken\"}"));
        Assert.Equal(0, MetricText.Require(text, "exporter_collector_success{collector=\"broken\"}"));
        Assert.Contains("sample_value{index=\"1\",collector_instance=\"sample\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_in_process_refuses_bad_configuration_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<Exporters.Hosting.ConfigurationException>(() => TestExporter.StartAsync(
            builder => builder.AddCollector(new SampleCollectorDefinition()),
            yaml: "collectors:\n  sample: {serie: 2}\n"));
        Assert.Contains("collectors.sample.serie: unknown key", error.Message, StringComparison.Ordinal);
    }
}
