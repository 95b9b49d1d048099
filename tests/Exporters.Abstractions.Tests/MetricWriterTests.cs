using Exporters.Abstractions.Metrics;

namespace Exporters.Abstractions.Tests;

public class MetricWriterTests
{
    private static readonly GaugeDefinition Keys = new("db_keys", "Keys.", ["db"]);
    private static readonly CounterDefinition Commands = new("commands_total", "Commands.", ["cmd"]);

    [Fact]
    public void Wrong_label_count_is_a_programming_error()
    {
        var writer = new MetricWriter();
        var error = Assert.Throws<ArgumentException>(() => writer.Write(Keys, 1));
        Assert.Contains("declares 1 labels but the sample has 0", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => writer.Write(Keys, 1, "a", "b"));
    }

    [Fact]
    public void Duplicate_series_are_dropped_and_counted()
    {
        var writer = new MetricWriter();
        writer.Write(Keys, 1, "db0");
        writer.Write(Keys, 2, "db1");
        writer.Write(Keys, 3, "db0");

        var family = Assert.Single(writer.Batch.Families);
        Assert.Equal(2, family.SeriesCount);
        Assert.Equal(1, family.GetPayload(0)[0]);
        Assert.Equal("db1", family.GetLabelValues(1)[0]);
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Contains("duplicate series", writer.LastRejection, StringComparison.Ordinal);
    }

    [Fact]
    public void A_family_without_labels_holds_one_series()
    {
        var up = new GaugeDefinition("up_value", "Up.");
        var writer = new MetricWriter();
        writer.Write(up, 1);
        writer.Write(up, 0);
        Assert.Equal(1, writer.Batch.Families[0].SeriesCount);
        Assert.Equal(1, writer.RejectedSamples);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Negative_or_nan_counters_are_rejected(double value)
    {
        var writer = new MetricWriter();
        writer.Write(Commands, value, "get");
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Equal(0, writer.Batch.SeriesCount);
    }

    [Fact]
    public void Two_definitions_with_one_name_in_one_scrape_are_refused()
    {
        var writer = new MetricWriter();
        writer.Write(new GaugeDefinition("same", "a"), 1);
        Assert.Throws<ArgumentException>(() => writer.Write(new GaugeDefinition("same", "b"), 1));
    }

    [Theory]
    [InlineData("summary", "app_sum")]
    [InlineData("summary", "app_count")]
    [InlineData("histogram", "app_sum")]
    [InlineData("histogram", "app_count")]
    [InlineData("histogram", "app_bucket")]
    public void A_family_named_like_a_sum_count_or_bucket_of_another_is_refused_in_either_order(string compound, string gaugeName)
    {
        // The fuzz finding: a histogram 'app' and an untyped 'app_sum' from one target gave two 'app_sum{}' series.
        var gauge = new GaugeDefinition(gaugeName, "g");
        MetricDefinition first = compound == "summary" ? new SummaryDefinition("app", "s") : new HistogramDefinition("app", "h");

        var writer = new MetricWriter();
        WriteCompound(writer, first);
        var error = Assert.Throws<ArgumentException>(() => writer.Write(gauge, 1));
        Assert.Contains($"both take the name '{gaugeName}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["app"], writer.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(1, writer.Batch.SeriesCount);

        var reversed = new MetricWriter();
        reversed.Write(gauge, 1);
        Assert.Throws<ArgumentException>(() => WriteCompound(reversed, first));
        Assert.Equal([gaugeName], reversed.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(1, reversed.Batch.SeriesCount);
    }

    [Fact]
    public void Names_that_only_look_alike_stay_allowed()
    {
        // go_memstats_alloc_bytes and go_memstats_alloc_bytes_total: different series, both used by dashboards.
        var writer = new MetricWriter();
        writer.Write(new CounterDefinition("jobs_total", "c"), 1);
        writer.Write(new GaugeDefinition("jobs", "g"), 1);
        writer.Write(new InfoDefinition("build_info", "i"));
        writer.Write(new GaugeDefinition("build", "g"), 1);
        writer.Write(new GaugeDefinition("jobs_sum_total", "g"), 1);
        writer.Write(new HistogramDefinition("app", "h"), [], 0, 0);
        writer.Write(new GaugeDefinition("app_summary", "g"), 1);
        writer.Write(new GaugeDefinition("app_created", "g"), 1);
        writer.Write(new SummaryDefinition("app_sum_seconds", "s"), [], 0, 0);
        Assert.Equal(9, writer.Batch.SeriesCount);
        Assert.Equal(0, writer.RejectedSamples);
    }

    [Fact]
    public void Repeated_bucket_bound_or_quantile_is_rejected_not_written()
    {
        var writer = new MetricWriter();
        writer.Write(new HistogramDefinition("h", "h"), [new(1, 1), new(1, 2)], 3, 2);
        writer.Write(new HistogramDefinition("h2", "h"), [new(1, 1), new(double.PositiveInfinity, 2), new(double.PositiveInfinity, 2)], 3, 2);
        writer.Write(new SummaryDefinition("s", "s"), [new(0.5, 1), new(0.5, 2)], 3, 2);
        Assert.Equal(0, writer.Batch.SeriesCount);
        Assert.Equal(3, writer.RejectedSamples);
    }

    private static void WriteCompound(MetricWriter writer, MetricDefinition definition)
    {
        if (definition is SummaryDefinition summary)
        {
            writer.Write(summary, [new(0.5, 1)], 2, 3);
        }
        else
        {
            writer.Write((HistogramDefinition)definition, [new(1, 3)], 2, 3);
        }
    }

    [Fact]
    public void Families_stay_contiguous_when_writes_interleave()
    {
        var writer = new MetricWriter();
        writer.Write(Keys, 1, "db0");
        writer.Write(Commands, 5, "get");
        writer.Write(Keys, 2, "db1");
        Assert.Equal(["db_keys", "commands_total"], writer.Batch.Families.Select(f => f.Definition.Name));
        Assert.Equal(2, writer.Batch.Families[0].SeriesCount);
    }

    [Fact]
    public void Histogram_gets_its_inf_bucket_and_bad_buckets_are_rejected()
    {
        var histogram = new HistogramDefinition("latency_seconds", "Latency.");
        var writer = new MetricWriter();
        writer.Write(histogram, [new(0.1, 1), new(1, 3)], 2.5, 4);
        Assert.Equal([2.5, 4, 0.1, 1, 1, 3, double.PositiveInfinity, 4], writer.Batch.Families[0].GetPayload(0).ToArray());

        var bad = new MetricWriter();
        bad.Write(histogram, [new(1, 3), new(0.1, 1)], 1, 3);
        bad.Write(new HistogramDefinition("h2", "h"), [new(0.1, 5), new(1, 3)], 1, 5);
        bad.Write(new HistogramDefinition("h3", "h"), [new(0.1, 1), new(double.PositiveInfinity, 2)], 1, 3);
        Assert.Equal(3, bad.RejectedSamples);
    }

    [Fact]
    public void Summary_quantiles_must_be_ordered_and_within_zero_and_one()
    {
        var summary = new SummaryDefinition("size_bytes", "Size.");
        var writer = new MetricWriter();
        writer.Write(summary, [new(0.5, 1), new(0.9, 2)], 10, 2);
        writer.Write(new SummaryDefinition("s2", "s"), [new(1.5, 1)], 1, 1);
        writer.Write(new SummaryDefinition("s3", "s"), [new(0.9, 1), new(0.5, 1)], 1, 1);
        Assert.Equal(1, writer.Batch.SeriesCount);
        Assert.Equal(2, writer.RejectedSamples);
    }

    [Fact]
    public void Series_cap_drops_the_excess()
    {
        var writer = new MetricWriter(maxSeries: 3);
        for (var i = 0; i < 10; i++)
        {
            writer.Write(Keys, i, $"db{i}");
        }

        Assert.Equal(3, writer.Batch.SeriesCount);
        Assert.Equal(7, writer.DroppedSeries);
    }

    [Fact]
    public void State_set_appends_the_state_as_the_last_label()
    {
        var state = new StateSetDefinition("health", "Health.", ["cluster"]);
        var writer = new MetricWriter();
        writer.WriteStates(state, ["green", "yellow", "red"], "yellow", "prod");
        var family = writer.Batch.Families[0];
        Assert.Equal(3, family.SeriesCount);
        Assert.Equal(["prod", "yellow"], family.GetLabelValues(1).ToArray());
        Assert.Equal(1, family.GetPayload(1)[0]);
        Assert.Equal(0, family.GetPayload(2)[0]);
    }

    [Fact]
    public void Null_label_values_are_empty()
    {
        var writer = new MetricWriter();
        writer.Write(Keys, 1, (string)null!);
        Assert.Equal(string.Empty, writer.Batch.Families[0].GetLabelValues(0)[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2047)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(30000)]
    public void Large_families_read_back_exactly_across_storage_chunks(int count)
    {
        var gauge = new GaugeDefinition("chunk_gauge", "g", ["id", "kind"]);
        var states = new StateSetDefinition("chunk_state", "s", ["id"]);
        var info = new InfoDefinition("chunk_info", "i", ["id"]);
        var histogram = new HistogramDefinition("chunk_seconds", "h", ["id"], "seconds");
        var writer = new MetricWriter();
        for (var i = 0; i < count; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            writer.Write(gauge, i * 0.5, id, i % 2 == 0 ? "even" : "odd");
            writer.Write(states, "on", i % 3 == 0, id);
            writer.Write(info, id);
            writer.Write(histogram, [new(0.1, i), new(1, i + 1)], i * 2.0, i + 2, id);
        }

        Assert.Equal(0, writer.RejectedSamples);
        Assert.Equal(count * 4, writer.Batch.SeriesCount);
        var families = writer.Batch.Families;
        if (count == 0)
        {
            Assert.Empty(families);
            return;
        }

        for (var i = 0; i < count; i += Math.Max(1, count / 97))
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal([id, i % 2 == 0 ? "even" : "odd"], families[0].GetLabelValues(i).ToArray());
            Assert.Equal(i * 0.5, families[0].GetPayload(i)[0]);
            Assert.Equal([id, "on"], families[1].GetLabelValues(i).ToArray());
            Assert.Equal(i % 3 == 0 ? 1 : 0, families[1].GetPayload(i)[0]);
            Assert.Equal([id], families[2].GetLabelValues(i).ToArray());
            Assert.Equal(0, families[2].GetPayload(i).Length);
            Assert.Equal([i * 2.0, i + 2, 0.1, i, 1, i + 1, double.PositiveInfinity, i + 2], families[3].GetPayload(i).ToArray());
        }

        var last = count - 1;
        Assert.Equal(last * 0.5, families[0].GetPayload(last)[0]);
    }

    [Fact]
    public void Duplicates_are_still_rejected_after_trim_excess()
    {
        var writer = new MetricWriter();
        for (var i = 0; i < 5000; i++)
        {
            writer.Write(Keys, i, $"db{i}");
        }

        writer.TrimExcess();
        writer.Write(Keys, 1, "db42");
        writer.Write(Keys, 1, "db5000");
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Equal(5001, writer.Batch.SeriesCount);

        var up = new GaugeDefinition("trim_up", "u");
        writer.Write(up, 1);
        writer.TrimExcess();
        writer.Write(up, 0);
        Assert.Equal(2, writer.RejectedSamples);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void Every_earlier_series_is_a_duplicate_at_any_family_size(int size)
    {
        // Small families compare with each series, larger ones go through a table: both must find every duplicate,
        // including around the size where one gives way to the other, and before and after TrimExcess.
        var writer = new MetricWriter(int.MaxValue, expectedFamilies: 1);
        for (var i = 0; i < size; i++)
        {
            writer.Write(Keys, i, $"db{i}");
        }

        for (var i = 0; i < size; i++)
        {
            writer.Write(Keys, -1, $"db{i}");
        }

        writer.TrimExcess();
        writer.Write(Keys, -1, $"db{size - 1}");
        writer.Write(Keys, size, $"db{size}");

        var family = Assert.Single(writer.Batch.Families);
        Assert.Equal(size + 1, family.SeriesCount);
        Assert.Equal(size + 1, writer.RejectedSamples);
        for (var i = 0; i <= size; i++)
        {
            Assert.Equal(i, family.GetPayload(i)[0]);
        }
    }

    [Fact]
    public void Moving_takes_over_a_new_family_whole_and_empties_the_source()
    {
        var staging = new MetricWriter();
        staging.Write(Keys, 1, "db0");
        staging.Write(Keys, 2, "db1");
        var family = Assert.Single(staging.Batch.Families);
        var writer = new MetricWriter();
        writer.Write(Commands, 5, "get");

        writer.MoveFrom(staging);

        Assert.Same(family, writer.Batch.Families[1]);
        Assert.Equal(3, writer.Batch.SeriesCount);
        Assert.Empty(staging.Batch.Families);
        Assert.Equal(0, staging.Batch.SeriesCount);
        Assert.False(staging.HasFamily(Keys));

        // Both writers stay usable: the source starts a fresh family, the destination still rejects duplicates.
        staging.Write(Keys, 3, "db0");
        Assert.NotSame(family, Assert.Single(staging.Batch.Families));
        writer.Write(Keys, 9, "db1");
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Equal(2, family.SeriesCount);
    }

    [Fact]
    public void Moving_into_a_family_already_written_merges_series_and_rejects_duplicates()
    {
        var writer = new MetricWriter();
        writer.Write(Keys, 1, "db0");
        var staging = new MetricWriter();
        staging.Write(Keys, 7, "db0");
        staging.Write(Keys, 2, "db1");

        writer.MoveFrom(staging);

        var family = Assert.Single(writer.Batch.Families);
        Assert.Equal(2, family.SeriesCount);
        Assert.Equal(1, family.GetPayload(0)[0]);
        Assert.Equal("db1", family.GetLabelValues(1)[0]);
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Empty(staging.Batch.Families);
    }

    [Fact]
    public void Moving_respects_the_series_cap_and_carries_the_sources_counts()
    {
        var staging = new MetricWriter(2);
        staging.Write(Keys, 1, "db0");
        staging.Write(Keys, 2, "db0");
        staging.Write(Keys, 3, "db1");
        staging.Write(Keys, 4, "db2");
        var writer = new MetricWriter(2);
        writer.Write(Commands, 5, "get");

        writer.MoveFrom(staging);

        Assert.Equal(2, writer.Batch.SeriesCount);
        Assert.Equal(1, writer.Batch.Families[1].SeriesCount);
        Assert.Equal(2, writer.DroppedSeries);
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Equal(0, staging.DroppedSeries);
        Assert.Equal(0, staging.RejectedSamples);
    }

    [Fact]
    public void Moving_a_family_whose_name_clashes_throws_and_keeps_what_was_not_moved()
    {
        var writer = new MetricWriter();
        writer.Write(new GaugeDefinition("db_keys", "Another family of the same name.", ["db"]), 1, "db0");
        var staging = new MetricWriter();
        staging.Write(Commands, 5, "get");
        staging.Write(Keys, 1, "db0");

        var error = Assert.Throws<ArgumentException>(() => writer.MoveFrom(staging));

        Assert.Contains("db_keys", error.Message, StringComparison.Ordinal);
        Assert.True(writer.HasFamily(Commands));
        Assert.Same(Keys, Assert.Single(staging.Batch.Families).Definition);
        Assert.Equal(1, staging.Batch.SeriesCount);
        Assert.Throws<ArgumentException>(() => writer.MoveFrom(writer));
    }

    [Fact]
    public void A_series_written_from_a_stored_payload_reads_back_the_same_for_every_type()
    {
        var source = new MetricWriter();
        var state = new StateSetDefinition("role", "Role.", ["node"]);
        var info = new InfoDefinition("build_info", "Build.", ["version"]);
        var histogram = new HistogramDefinition("latency_seconds", "Latency.", ["op"]);
        var summary = new SummaryDefinition("size_bytes", "Size.", ["op"]);
        source.Write(Keys, 1.5, "db0");
        source.Write(Commands, 3, "get");
        source.Write(state, "leader", true, "n1");
        source.Write(info, "1.0");
        source.Write(histogram, [new HistogramBucket(0.1, 2), new HistogramBucket(1, 5)], 2.5, 6, "get");
        source.Write(summary, [new SummaryQuantile(0.5, 10), new SummaryQuantile(0.9, 20)], 100, 8, "get");

        var copy = new MetricWriter();
        foreach (var family in source.Batch.Families)
        {
            copy.WriteSeries(family.Definition, family.GetPayload(0), family.GetLabelValues(0));
        }

        Assert.Equal(0, copy.RejectedSamples);
        for (var f = 0; f < source.Batch.Families.Count; f++)
        {
            var expected = source.Batch.Families[f];
            var actual = copy.Batch.Families[f];
            Assert.Same(expected.Definition, actual.Definition);
            Assert.Equal(expected.GetLabelValues(0).ToArray(), actual.GetLabelValues(0).ToArray());
            Assert.Equal(expected.GetPayload(0).ToArray(), actual.GetPayload(0).ToArray());
        }
    }

    [Fact]
    public void A_series_from_a_payload_is_checked_like_a_typed_write()
    {
        var writer = new MetricWriter();
        writer.WriteSeries(Commands, [-1], "get");
        Assert.Equal(1, writer.RejectedSamples);
        Assert.Contains("negative", writer.LastRejection, StringComparison.Ordinal);
        var error = Assert.Throws<ArgumentException>(() => writer.WriteSeries(Keys, [], "db0"));
        Assert.Contains("db_keys", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => writer.WriteSeries(new HistogramDefinition("h_seconds", "H."), [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => writer.WriteSeries(new StateSetDefinition("s", "S."), [1]));
    }
}
