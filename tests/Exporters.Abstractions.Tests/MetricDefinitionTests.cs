using Exporters.Abstractions.Metrics;

namespace Exporters.Abstractions.Tests;

public class MetricDefinitionTests
{
    [Theory]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("ä")]
    public void Invalid_metric_names_are_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new GaugeDefinition(name, "help"));
        Assert.Contains("is not valid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("__reserved")]
    [InlineData("a:b")]
    [InlineData("0a")]
    public void Invalid_label_names_are_refused(string label)
    {
        Assert.Throws<ArgumentException>(() => new GaugeDefinition("ok", "help", [label]));
    }

    [Fact]
    public void Duplicate_and_reserved_label_names_are_refused()
    {
        Assert.Contains("declared twice", Assert.Throws<ArgumentException>(() => new GaugeDefinition("g", "h", ["a", "a"])).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => new HistogramDefinition("h", "h", ["le"])).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => new SummaryDefinition("s", "h", ["quantile"])).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => new StateSetDefinition("s", "h", ["s"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exposition_names_are_the_family_name_and_every_sample_name()
    {
        Assert.Equal(["x"], new GaugeDefinition("x", "h").ExpositionNames);
        Assert.Equal(["x_total"], new CounterDefinition("x_total", "h").ExpositionNames);
        Assert.Equal(["x"], new CounterDefinition("x", "h").ExpositionNames);
        Assert.Equal(["x_info"], new InfoDefinition("x_info", "h").ExpositionNames);
        Assert.Equal(["x"], new StateSetDefinition("x", "h").ExpositionNames);
        Assert.Equal(["x", "x_bucket", "x_sum", "x_count"], new HistogramDefinition("x", "h").ExpositionNames);
        Assert.Equal(["x", "x_sum", "x_count"], new SummaryDefinition("x", "h").ExpositionNames);
    }

    [Fact]
    public void Openmetrics_family_names_drop_total_and_info_suffixes()
    {
        Assert.Equal("requests", new CounterDefinition("requests_total", "h").OpenMetricsName);
        Assert.True(new CounterDefinition("requests_total", "h").HasTotalSuffix);
        Assert.Equal("redis_total_reads_processed", new CounterDefinition("redis_total_reads_processed", "h").OpenMetricsName);
        Assert.False(new CounterDefinition("redis_total_reads_processed", "h").HasTotalSuffix);
        Assert.Equal("build", new InfoDefinition("build_info", "h").OpenMetricsName);
        Assert.Throws<ArgumentException>(() => new InfoDefinition("build", "h"));
    }

    [Fact]
    public void Unit_must_be_a_suffix_of_the_openmetrics_family_name()
    {
        Assert.Equal("seconds", new CounterDefinition("cpu_seconds_total", "h", unit: "seconds").Unit);
        Assert.Equal("bytes", new GaugeDefinition("memory_bytes", "h", unit: "bytes").Unit);
        Assert.Throws<ArgumentException>(() => new GaugeDefinition("memory", "h", unit: "bytes"));
        Assert.Throws<ArgumentException>(() => new GaugeDefinition("memory_bytes", "h", unit: "by tes"));
    }
}
