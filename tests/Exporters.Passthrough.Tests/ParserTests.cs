using System.Text;

namespace Exporters.Passthrough.Tests;

public class ParserTests
{
    private const string TextDocument = """
        # A free comment is ignored in the text format.
        # HELP http_requests_total Requests, by code.\nSecond line with a \\ backslash.
        # TYPE http_requests_total counter
        http_requests_total{code="200",method="get"} 1027 1395066363000
        http_requests_total{code="400",method="post"} 3
        # TYPE queue_length gauge
        queue_length 42.5
        # HELP rpc_seconds RPC latency.
        # TYPE rpc_seconds histogram
        rpc_seconds_bucket{le="0.1"} 3
        rpc_seconds_bucket{le="1"} 5
        rpc_seconds_bucket{le="+Inf"} 6
        rpc_seconds_sum 4.5
        rpc_seconds_count 6
        # TYPE gc_seconds summary
        gc_seconds{quantile="0.5"} NaN
        gc_seconds{quantile="1"} +Inf
        gc_seconds_sum -Inf
        gc_seconds_count 2
        untyped_thing{path="C:\\dir",quote="say \"hi\"",nl="a\nb",} 1e3

        """;

    [Fact]
    public void Text_format_families_types_labels_and_escapes()
    {
        var sink = RecordingSink.Parse(TextDocument, ExpositionSyntax.Text);
        Assert.Empty(sink.Malformed);
        Assert.Equal(["http_requests_total", "queue_length", "rpc_seconds", "gc_seconds", "untyped_thing"], sink.Families.Select(f => f.Name));
        Assert.Equal([ParsedType.Counter, ParsedType.Gauge, ParsedType.Histogram, ParsedType.Summary, ParsedType.Untyped], sink.Families.Select(f => f.Type));

        var requests = sink.Families[0];
        Assert.Equal("Requests, by code.\nSecond line with a \\ backslash.", requests.Help);
        Assert.Equal((SampleKind.Plain, "code=200,method=get", 1027d), requests.Samples[0]);
        Assert.Equal((SampleKind.Plain, "code=400,method=post", 3d), requests.Samples[1]);

        var rpc = sink.Families[2];
        Assert.Equal([SampleKind.Bucket, SampleKind.Bucket, SampleKind.Bucket, SampleKind.Sum, SampleKind.Count], rpc.Samples.Select(s => s.Kind));
        Assert.Equal("le=+Inf", rpc.Samples[2].Labels);

        var gc = sink.Families[3];
        Assert.True(double.IsNaN(gc.Samples[0].Value));
        Assert.Equal(double.PositiveInfinity, gc.Samples[1].Value);
        Assert.Equal(double.NegativeInfinity, gc.Samples[2].Value);

        Assert.Equal("path=C:\\dir,quote=say \"hi\",nl=a\nb", sink.Families[4].Samples[0].Labels);
        Assert.Equal(1000d, sink.Families[4].Samples[0].Value);
    }

    [Fact]
    public void Feeding_byte_by_byte_gives_the_same_result_as_one_chunk()
    {
        var whole = RecordingSink.Parse(TextDocument, ExpositionSyntax.Text);
        var bytes = Encoding.UTF8.GetBytes(TextDocument);
        var sink = new RecordingSink();
        var parser = new ExpositionParser();
        parser.Begin(ExpositionSyntax.Text, sink);
        foreach (var b in bytes)
        {
            parser.Feed([b]);
        }

        parser.End();
        Assert.Equal(whole.Families.Count, sink.Families.Count);
        for (var i = 0; i < whole.Families.Count; i++)
        {
            Assert.Equal(whole.Families[i].Name, sink.Families[i].Name);
            Assert.Equal(whole.Families[i].Help, sink.Families[i].Help);
            Assert.Equal(whole.Families[i].Samples.Select(s => (s.Kind, s.Labels)), sink.Families[i].Samples.Select(s => (s.Kind, s.Labels)));
        }
    }

    [Fact]
    public async Task Parses_from_a_stream()
    {
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(TextDocument));
        var sink = new RecordingSink();
        var summary = await new ExpositionParser().ParseAsync(stream, ExpositionSyntax.Text, sink, CancellationToken.None);
        Assert.Equal(5, summary.Families);
        Assert.Equal(13, summary.Samples);
        Assert.Equal(0, summary.MalformedLines);
    }

    [Theory]
    [InlineData("bad value\n", "not a number")]
    [InlineData("9starts_with_digit 1\n", "valid metric name")]
    [InlineData("m{a=\"unterminated} 1\n", "not closed")]
    [InlineData("m{a=\"x\",a=\"y\"} 1\n", "appears twice")]
    [InlineData("m{__reserved=\"x\"} 1\n", "reserved")]
    [InlineData("m{a=\"bad \\q escape\"} 1\n", "invalid escape")]
    [InlineData("m{a \"x\"} 1\n", "expected '='")]
    [InlineData("m 1 2 3\n", "unexpected text")]
    [InlineData("m 1 notatime\n", "timestamp")]
    [InlineData("m\n", "no value")]
    [InlineData("# TYPE m sometype\n", "unknown metric type")]
    public void Malformed_lines_are_reported_and_skipped_and_valid_neighbours_kept(string bad, string reason)
    {
        var document = "before 1\n" + bad + "after 2\n";
        var sink = RecordingSink.Parse(document, ExpositionSyntax.Text);
        var malformed = Assert.Single(sink.Malformed);
        Assert.Equal(2, malformed.Line);
        Assert.Contains(reason, malformed.Reason, StringComparison.Ordinal);
        Assert.Contains(sink.Families, f => f.Name == "before" && f.Samples.Single().Value == 1);
        Assert.Contains(sink.Families, f => f.Name == "after" && f.Samples.Single().Value == 2);
        Assert.DoesNotContain(sink.Families, f => f.Samples.Any(s => s.Labels.Contains('y', StringComparison.Ordinal) || s.Value == 3));
    }

    [Fact]
    public void Invalid_utf8_in_a_label_value_is_malformed()
    {
        var bytes = "ok 1\nm{a=\""u8.ToArray().Concat(new byte[] { 0xff, 0xfe }).Concat("\"} 1\n"u8.ToArray()).ToArray();
        var sink = new RecordingSink();
        new ExpositionParser().Parse(bytes, ExpositionSyntax.Text, sink);
        Assert.Contains("UTF-8", Assert.Single(sink.Malformed).Reason, StringComparison.Ordinal);
        Assert.Single(sink.Families);
    }

    [Fact]
    public void A_family_that_reappears_later_is_reported_not_merged()
    {
        var sink = RecordingSink.Parse("# TYPE a gauge\na 1\nb 2\na{x=\"y\"} 3\n", ExpositionSyntax.Text);
        Assert.Equal(["a", "b"], sink.Families.Select(f => f.Name));
        Assert.Single(sink.Families[0].Samples);
        Assert.Contains("appears twice", Assert.Single(sink.Malformed).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_long_lines_are_skipped()
    {
        var parser = new ExpositionParser(maxLineLength: 64);
        var sink = new RecordingSink();
        var document = "a 1\nlong{x=\"" + new string('x', 500) + "\"} 1\nb 2\n";
        parser.Begin(ExpositionSyntax.Text, sink);
        foreach (var chunk in Encoding.UTF8.GetBytes(document).Chunk(7))
        {
            parser.Feed(chunk);
        }

        parser.End();
        Assert.Equal(["a", "b"], sink.Families.Select(f => f.Name));
        Assert.Contains("longer than", Assert.Single(sink.Malformed).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMetrics_types_suffixes_units_exemplars_and_eof()
    {
        const string document = """
            # TYPE requests counter
            # HELP requests Requests with a \"quote\".
            requests_total{code="200"} 10 # {trace_id="abc"} 1.0 1520879607.789
            requests_created{code="200"} 1520430000.123
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE door stateset
            door{door="open"} 1
            door{door="closed"} 0
            # TYPE latency_seconds histogram
            # UNIT latency_seconds seconds
            latency_seconds_bucket{le="0.5"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_count 2
            latency_seconds_sum 0.75
            latency_seconds_created 1520430000
            # TYPE things unknown
            things 3 1520879607.789
            # EOF

            """;
        var sink = RecordingSink.Parse(document, ExpositionSyntax.OpenMetrics);
        Assert.Equal([], sink.Malformed.Select(m => $"{m.Line}: {m.Reason}"));
        Assert.Equal(["requests", "build", "door", "latency_seconds", "things"], sink.Families.Select(f => f.Name));
        Assert.Equal([ParsedType.Counter, ParsedType.Info, ParsedType.StateSet, ParsedType.Histogram, ParsedType.Unknown], sink.Families.Select(f => f.Type));
        Assert.Equal("Requests with a \"quote\".", sink.Families[0].Help);
        Assert.Equal([SampleKind.Total, SampleKind.Created], sink.Families[0].Samples.Select(s => s.Kind));
        Assert.Equal("seconds", sink.Families[3].Unit);
        Assert.Equal(SampleKind.Info, sink.Families[1].Samples[0].Kind);
    }

    [Fact]
    public void OpenMetrics_without_eof_is_reported_as_truncated_and_content_after_eof_is_rejected()
    {
        var truncated = RecordingSink.Parse("a 1\n", ExpositionSyntax.OpenMetrics);
        Assert.Single(truncated.Families);
        Assert.Contains("EOF", Assert.Single(truncated.Malformed).Reason, StringComparison.Ordinal);

        var after = RecordingSink.Parse("a 1\n# EOF\nb 2\n", ExpositionSyntax.OpenMetrics);
        Assert.Equal(["a"], after.Families.Select(f => f.Name));
        Assert.Contains("after '# EOF'", Assert.Single(after.Malformed).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMetrics_counter_sample_without_total_is_rejected()
    {
        var sink = RecordingSink.Parse("# TYPE c counter\nc 1\n# EOF\n", ExpositionSyntax.OpenMetrics);
        Assert.Empty(sink.Families);
        Assert.Contains("appears twice", Assert.Single(sink.Malformed).Reason, StringComparison.Ordinal);
    }
}
