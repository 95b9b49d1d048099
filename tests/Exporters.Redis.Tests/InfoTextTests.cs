using System.Buffers;
using System.Text;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Exporters.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exporters.Redis.Tests;

/// <summary>The span readers of INFO text, the label cache, the field table and bulk strings kept as bytes.</summary>
public sealed class InfoTextTests
{
    private static List<(string Section, string Field, string Value)> Lines(string text)
    {
        var lines = new List<(string, string, string)>();
        foreach (var line in InfoText.Fields(text))
        {
            lines.Add((line.Section.ToString(), line.Field.ToString(), line.Value.ToString()));
        }

        return lines;
    }

    private static List<(string Key, string Value)> Pairs(string value, char separator = ',')
    {
        var pairs = new List<(string, string)>();
        foreach (var pair in InfoText.Pairs(value, separator))
        {
            pairs.Add((pair.Key.ToString(), pair.Value.ToString()));
        }

        return pairs;
    }

    [Fact]
    public void Lines_end_at_CRLF_LF_CR_and_the_other_line_breaks_of_EnumerateLines()
    {
        Assert.Equal(
            [("S", "a", "1"), ("S", "b", "2"), ("S", "c", "3"), ("S", "d", "4"), ("S", "e", "5"), ("S", "f", "6"), ("S", "g", "7"), ("S", "h", "8")],
            Lines("# S\r\na:1\r\nb:2\nc:3\rd:4\fe:5\u0085f:6\u2028g:7\u2029h:8"));
    }

    [Fact]
    public void Lines_are_split_exactly_as_EnumerateLines_splits_them()
    {
        // The reference: what the collector did when INFO was split into strings.
        var text = "# Server \r\n\r\nx:1\n\r\ny:\r\n:z\r\nno colon\r\n#Keyspace\r\ndb0:keys=1\r\r\n\n\nlast:9";
        var expected = new List<(string, string, string)>();
        var section = string.Empty;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                section = line[1..].Trim().ToString();
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                expected.Add((section, line[..colon].ToString(), line[(colon + 1)..].ToString()));
            }
        }

        Assert.Equal(expected, Lines(text));
        Assert.Equal([("Server", "x", "1"), ("Server", "y", ""), ("Keyspace", "db0", "keys=1"), ("Keyspace", "last", "9")], Lines(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("no colon at all")]
    [InlineData(":value without field")]
    [InlineData("# Only a section\r\n")]
    public void Text_without_field_lines_gives_none(string text) => Assert.Empty(Lines(text));

    [Fact]
    public void A_value_keeps_its_colons_spaces_and_non_ASCII_characters()
    {
        Assert.Equal([("", "os", " Linux: ünï 6.1 "), ("", "exe", "/opt/редис")], Lines("os: Linux: ünï 6.1 \r\nexe:/opt/редис"));
    }

    [Fact]
    public void A_huge_line_is_read_whole()
    {
        var value = new string('x', 1 << 20);
        var (_, field, read) = Lines("big:" + value + "\r\nsmall:1")[0];
        Assert.Equal("big", field);
        Assert.Equal(value, read);
    }

    [Fact]
    public void Pairs_skip_empty_parts_and_parts_without_a_key()
    {
        Assert.Equal([("calls", "10"), ("usec", "5"), ("b", "x=y"), ("e", "")], Pairs(",calls=10,,usec=5,=nokey,plain,b=x=y,e="));
        Assert.Empty(Pairs(""));
        Assert.Equal([("name", "app"), ("flags", "N")], Pairs("name=app  flags=N", ' '));
    }

    [Fact]
    public void A_key_given_twice_takes_its_last_value()
    {
        Assert.True(InfoText.TryGetPair("count=2,other=1,count=5", "count", out var value));
        Assert.Equal("5", value.ToString());
        Assert.False(InfoText.TryGetPair("counts=2,count", "count", out _));
        Assert.True(InfoText.TryGetPair("count=", "count", out var empty));
        Assert.True(empty.IsEmpty);
    }

    [Theory]
    [InlineData("ok", 1)]
    [InlineData("up", 1)]
    [InlineData("yes", 1)]
    [InlineData("err", 0)]
    [InlineData("no", 0)]
    [InlineData("1.5e3", 1500)]
    [InlineData(" 12 ", 12)]
    [InlineData("-0", 0)]
    [InlineData("+3", 3)]
    public void Values_parse_as_numbers_in_the_invariant_culture(string text, double expected)
    {
        Assert.True(InfoText.TryParseValue(text, out var number));
        Assert.Equal(expected, number);
    }

    [Fact]
    public void Values_parse_to_the_very_double_the_full_parser_gives()
    {
        var random = new Random(20261122);
        var texts = new List<string> { "0", "-0", "00", "007", "999999999999999", "9999999999999999", "18446744073709551616", "1e400", "٣" };
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(1, 21);
            texts.Add(string.Concat(Enumerable.Range(0, length).Select(_ => (char)('0' + random.Next(10)))));
        }

        foreach (var text in texts)
        {
            var expected = double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var full);
            Assert.Equal(expected, InfoText.TryParseValue(text, out var number));
            Assert.True(BitConverter.DoubleToInt64Bits(full) == BitConverter.DoubleToInt64Bits(number), $"{text}: {number} instead of {full}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("OK")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1.00K")]
    public void Other_values_are_not_numbers(string text) => Assert.False(InfoText.TryParseValue(text, out _));

    [Fact]
    public void The_label_cache_returns_the_same_string_for_the_same_characters()
    {
        var cache = new LabelCache();
        var first = cache.Get("cmdstat_get".AsSpan(8));
        var again = cache.Get("get".AsSpan());
        Assert.Equal("get", first);
        Assert.Same(first, again);
        Assert.Same(first, cache.Get("get"u8));
        Assert.Same(string.Empty, cache.Get(ReadOnlySpan<char>.Empty));
        Assert.Equal("ünï", cache.Get("ünï"u8));
        Assert.Equal("a\uFFFDb", cache.Get([(byte)'a', 0xFF, (byte)'b']));
    }

    [Fact]
    public void The_label_cache_stays_bounded_whatever_a_server_sends()
    {
        var cache = new LabelCache();
        for (var i = 0; i < LabelCache.MaxEntries * 3; i++)
        {
            cache.Get("name" + i);
            Assert.InRange(cache.Count, 1, LabelCache.MaxEntries);
        }

        var longName = new string('n', LabelCache.MaxLength + 1);
        var before = cache.Count;
        Assert.Equal(longName, cache.Get(longName));
        Assert.NotSame(cache.Get(longName), cache.Get(longName));
        Assert.Equal(before, cache.Count);
    }

    [Fact]
    public void The_field_table_keeps_the_first_of_duplicate_fields()
    {
        const string Text = "a:1\r\nb:2\r\na:3\r\n";
        var table = new FieldTable();
        Assert.True(table.TryAdd(Text, 0, 1, 1));
        Assert.True(table.TryAdd(Text, 5, 1, 1));
        Assert.False(table.TryAdd(Text, 10, 1, 1));
        Assert.True(table.TryGetValue(Text, "a", out var a));
        Assert.Equal("1", a.ToString());
        Assert.True(table.Contains(Text, "b"));
        Assert.False(table.Contains(Text, "c"));
        table.Clear();
        Assert.False(table.Contains(Text, "a"));
    }

    [Fact]
    public void The_field_table_grows_past_its_first_size()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"f{i}:{i}\n"));
        var table = new FieldTable();
        foreach (var line in InfoText.Fields(text))
        {
            Assert.True(table.TryAdd(text, line.FieldStart, line.Field.Length, line.Value.Length));
        }

        Assert.Equal(5000, table.Count);
        Assert.True(table.TryGetValue(text, "f4321", out var value));
        Assert.Equal("4321", value.ToString());
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.Contains(text, "f1"));
    }

    [Fact]
    public void A_duplicate_INFO_field_keeps_the_first_value_and_is_logged_once()
    {
        var writer = new MetricWriter();
        var logger = new TestLogger();
        var info = new InfoWriter(new RedisMetrics("redis"), writer, TimeProvider.System, logger, new ReplyScratch());
        info.WriteInfo("# Clients\r\nconnected_clients:3\r\nconnected_clients:9\r\nblocked_clients:1\r\n", 0);
        info.LogSkipped();
        var text = CollectorHarness.Render(writer.Batch);
        Assert.Contains("redis_connected_clients 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("redis_connected_clients 9", text, StringComparison.Ordinal);
        Assert.Equal(["connected_clients: appears twice; the first value is kept"], info.Skipped);
        Assert.Single(logger.Lines, l => l.Contains("connected_clients: appears twice", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_fields_write_nothing_and_are_not_logged()
    {
        var writer = new MetricWriter();
        var info = new InfoWriter(new RedisMetrics("redis"), writer, TimeProvider.System, NullLogger.Instance, new ReplyScratch());
        info.WriteInfo("# Mystery\r\nstrange_field:1\r\nmystery_thing:abc\r\n", 0);
        Assert.Empty(writer.Batch.Families);
        Assert.Empty(info.Skipped);
    }

    [Fact]
    public void A_steady_scrape_makes_no_new_label_strings()
    {
        List<Reply> purposes = [Reply.Info, Reply.Config, Reply.SlowlogLen, Reply.SlowlogGet, Reply.LatencyLatest, Reply.LatencyHistogram];
        var wire = File.ReadAllBytes(ReplyGoldenTests.AssetPath("redis7-scrape.resp"));
        var collector = new RedisCollector(new RedisOptions(), null, new Exporters.Abstractions.CollectorCreationContext("redis", NullLoggerFactory.Instance, TimeProvider.System));
        MetricWriter Scrape()
        {
            var writer = new MetricWriter();
            var replies = new CommandBatch.Result(purposes, ReplyGoldenTests.ParseAll(wire, purposes.Count));
            collector.WriteReplies(writer, NullLogger.Instance, new ServerProfile { MajorVersion = 7 }, replies, replies.Single(Reply.Info));
            return writer;
        }

        static List<string> Labels(MetricWriter writer) =>
            [.. writer.Batch.Families.Where(f => f.Definition.LabelNames.Count > 0).SelectMany(f => Enumerable.Range(0, f.SeriesCount).SelectMany(s => f.GetLabelValues(s).ToArray()))];

        var first = Labels(Scrape());
        var second = Labels(Scrape());
        Assert.Equal(first, second);
        Assert.Contains("errorstat_ERR", Encoding.ASCII.GetString(wire), StringComparison.Ordinal);
        Assert.Contains("ERR", second);
        Assert.Contains("db0", second);
        Assert.Contains("get", second);
        var fresh = Enumerable.Range(0, first.Count).Where(i => first[i].Length > 0 && !ReferenceEquals(first[i], second[i])).Select(i => first[i]).ToList();
        Assert.True(fresh.Count == 0, "label strings made again in the second scrape: " + string.Join(", ", fresh));
    }

    [Fact]
    public void A_bulk_string_is_kept_as_bytes_and_reads_as_the_string_would()
    {
        var value = ParseOne("$11\r\nünï:1.5e3\r\n");
        Assert.True(value.HasBytes);
        Assert.True(ParseOne("$5\r\ncalls\r\n").TextEquals("calls"));
        Assert.False(ParseOne("$5\r\ncallz\r\n").TextEquals("calls"));
        Assert.True(ParseOne("+calls\r\n").TextEquals("calls"));
        Assert.False(ParseOne(":5\r\n").TextEquals("5"));
        Assert.True(ParseOne("$6\r\n1.5e3 \r\n").TryGetNumber(out var number));
        Assert.Equal(1500, number);
        Assert.False(ParseOne("$3\r\n1,5\r\n").TryGetNumber(out _));
        Assert.True(ParseOne("$0\r\n\r\n").HasBytes);
        Assert.Equal(string.Empty, ParseOne("$0\r\n\r\n").Text);

        char[]? rented = null;
        var chars = value.DecodeText(ArrayPool<char>.Shared, ref rented).ToString();
        Assert.NotNull(rented);
        ArrayPool<char>.Shared.Return(rented);
        Assert.Equal("ünï:1.5e3", chars);
        Assert.Equal("ünï:1.5e3", value.Text);
    }

    [Fact]
    public void Invalid_UTF8_in_a_bulk_string_becomes_replacement_characters_as_before()
    {
        var wire = new byte[] { (byte)'$', (byte)'4', 13, 10, (byte)'a', 0xC3, 0x28, (byte)'b', 13, 10 };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(wire));
        Assert.True(RespParser.TryParse(ref reader, 1024, out var value));
        Assert.Equal(Encoding.UTF8.GetString(wire, 4, 4), value.Text);
        Assert.Equal("a\uFFFD(b", value.Text);
    }

    [Fact]
    public void An_incomplete_reply_gives_back_what_it_copied_into_the_arena()
    {
        var arena = new RespArena();
        var whole = Encoding.ASCII.GetBytes("*2\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n");
        var part = new ReadOnlySequence<byte>(whole, 0, whole.Length - 5);
        var reader = new SequenceReader<byte>(part);
        Assert.False(RespParser.TryParse(ref reader, 1024, arena, out _));
        Assert.Equal(0, reader.Consumed);
        Assert.Equal((0, 0), arena.Mark());

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(whole));
        Assert.True(RespParser.TryParse(ref reader, 1024, arena, out var value));
        Assert.Equal(["first", "second"], value.Items.Select(i => i.Text));
        Assert.Equal((0, 11), arena.Mark());
    }

    [Fact]
    public void Replies_of_one_batch_share_the_arena_and_stay_intact()
    {
        var arena = new RespArena();
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"${i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{i:D4}\r\n"));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));
        var values = new List<RespValue>();
        while (RespParser.TryParse(ref reader, 1024, arena, out var value))
        {
            values.Add(value);
        }

        Assert.Equal(300, values.Count);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)), values.Select(v => v.Text));
        Assert.Equal(0, arena.Mark().Chunk);
    }

    [Fact]
    public void A_batch_received_a_few_bytes_at_a_time_parses_as_one_received_whole()
    {
        // As RedisConnection.ExecuteAsync reads: every attempt starts where the last complete reply ended, over all
        // bytes received so far, which here arrive in segments of 7 bytes.
        var wire = File.ReadAllBytes(ReplyGoldenTests.AssetPath("redis7-scrape.resp"));
        var expected = ReplyGoldenTests.ParseAll(wire, 6);
        var arena = new RespArena();
        var replies = new List<RespValue>();
        var consumed = 0;
        for (var received = 7; replies.Count < 6; received = Math.Min(received + 7, wire.Length))
        {
            var reader = new SequenceReader<byte>(Segments(wire.AsMemory(consumed, received - consumed), 7));
            while (replies.Count < 6 && RespParser.TryParse(ref reader, 1 << 20, arena, out var reply))
            {
                replies.Add(reply);
            }

            consumed += (int)reader.Consumed;
        }

        Assert.Equal(wire.Length, consumed);
        Assert.Equal(expected.Select(Describe), replies.Select(Describe));
        Assert.InRange(arena.Mark().Chunk, 0, 3);
    }

    [Theory]
    [InlineData("# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n", 7, false, false)]
    [InlineData("# Server\r\nredis_version:6.0.9\r\nredis_mode:cluster\r\n", 6, true, false)]
    [InlineData("# Server\r\nvalkey_version:8.0.1\r\nredis_version:7.2.4\r\nredis_mode:sentinel\r\n", 8, false, true)]
    [InlineData("redis_version:5\r\n# Cluster\r\ncluster_enabled:1\r\n", 5, true, false)]
    [InlineData("redis_version:x.1\r\ncluster_enabled:0\r\n", 0, false, false)]
    public void A_server_profile_is_read_from_INFO(string info, int major, bool cluster, bool sentinel)
    {
        var profile = ServerProfile.From(info, infoAllRefused: false);
        Assert.Equal(major, profile.MajorVersion);
        Assert.Equal(cluster, profile.Cluster);
        Assert.Equal(sentinel, profile.Sentinel);
    }

    private static string Describe(RespValue value) => value.IsAggregate
        ? $"{value.Kind}[{string.Join(",", value.Items.Select(Describe))}]"
        : $"{value.Kind}:{value.AsString()}";

    private static ReadOnlySequence<byte> Segments(ReadOnlyMemory<byte> bytes, int size)
    {
        Segment? first = null, last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var segment = new Segment(bytes.Slice(offset, Math.Min(size, bytes.Length - offset)), offset);
            first ??= segment;
            last?.Link(segment);
            last = segment;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private static RespValue ParseOne(string wire)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
        Assert.True(RespParser.TryParse(ref reader, 1024, out var value));
        return value;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Link(Segment next) => Next = next;
    }
}
