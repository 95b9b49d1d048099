using System.Buffers;
using System.Text;
using Exporters.Redis.Protocol;

namespace Exporters.Redis.Tests;

public sealed class ProtocolTests
{
    private static RespValue? Parse(string text, long maxBulk = 1 << 20)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)));
        return RespParser.TryParse(ref reader, maxBulk, out var value) ? value : null;
    }

    [Theory]
    [InlineData("+OK\r\n", (int)RespKind.SimpleString, "OK")]
    [InlineData("-ERR unknown command\r\n", (int)RespKind.Error, "ERR unknown command")]
    [InlineData(":42\r\n", (int)RespKind.Integer, "42")]
    [InlineData("$5\r\nhello\r\n", (int)RespKind.BulkString, "hello")]
    [InlineData("$0\r\n\r\n", (int)RespKind.BulkString, "")]
    [InlineData(",3.25\r\n", (int)RespKind.Double, "3.25")]
    [InlineData("#t\r\n", (int)RespKind.Boolean, "1")]
    [InlineData("(12345678901234567890\r\n", (int)RespKind.BigNumber, "12345678901234567890")]
    [InlineData("=8\r\ntxt:info\r\n", (int)RespKind.BulkString, "info")]
    [InlineData("!7\r\nERR bad\r\n", (int)RespKind.Error, "ERR bad")]
    public void Parses_scalar_replies_of_RESP2_and_RESP3(string wire, int kindNumber, string text)
    {
        var value = Parse(wire);
        Assert.NotNull(value);
        Assert.Equal((RespKind)kindNumber, value.Kind);
        Assert.Equal(text, value.AsString());
    }

    [Theory]
    [InlineData("$-1\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("_\r\n")]
    public void Parses_nulls(string wire) => Assert.True(Parse(wire)!.IsNull);

    [Fact]
    public void Parses_aggregates_maps_and_skips_attributes()
    {
        var array = Parse("*2\r\n$3\r\nfoo\r\n:1\r\n")!;
        Assert.Equal(RespKind.Array, array.Kind);
        Assert.Equal(["foo", "1"], array.Items.Select(i => i.AsString()));

        var map = Parse("%2\r\n+calls\r\n:3\r\n+histogram_usec\r\n%1\r\n:4\r\n:3\r\n")!;
        Assert.Equal(RespKind.Map, map.Kind);
        Assert.Equal(["calls", "histogram_usec"], map.Pairs().Select(p => p.Key));

        var withAttribute = Parse("|1\r\n+ttl\r\n:3600\r\n:7\r\n")!;
        Assert.Equal(7, withAttribute.Integer);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+OK")]
    [InlineData("+OK\r")]
    [InlineData("$5\r\nhel")]
    [InlineData("$5\r\nhello")]
    [InlineData("*2\r\n$3\r\nfoo\r\n")]
    [InlineData("%1\r\n+calls\r\n")]
    public void Truncated_replies_need_more_bytes(string wire) => Assert.Null(Parse(wire));

    [Theory]
    [InlineData("?what\r\n", "type byte")]
    [InlineData(":12x\r\n", "not an integer")]
    [InlineData("$abc\r\nxyz\r\n", "not an integer")]
    [InlineData("$-7\r\n", "negative")]
    [InlineData("*-5\r\n", "out of range")]
    [InlineData("$3\r\nabcde\r\n", "CRLF")]
    [InlineData("#x\r\n", "neither t nor f")]
    [InlineData(",pi\r\n", "not a number")]
    [InlineData("*99999999\r\n", "out of range")]
    public void Invalid_replies_throw_a_protocol_error(string wire, string message)
    {
        var e = Assert.Throws<RespProtocolException>(() => Parse(wire));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_bulk_string_is_refused_before_it_is_buffered()
    {
        var e = Assert.Throws<RespProtocolException>(() => Parse("$1073741824\r\n", maxBulk: 1 << 20));
        Assert.Contains("exceeds the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endless_line_is_refused_at_the_limit()
    {
        var e = Assert.Throws<RespProtocolException>(() => Parse("+" + new string('a', 5000), maxBulk: 1024));
        Assert.Contains("exceeds the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", 100)) + ":1\r\n";
        Assert.Throws<RespProtocolException>(() => Parse(wire));
    }

    [Fact]
    public void Commands_are_encoded_as_arrays_of_bulk_strings()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RespCommandWriter.Write(buffer, ["CLIENT", "SETNAME", "é"]);
        Assert.Equal("*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$2\r\né\r\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380", "redis://127.0.0.1:6380", null, null, false)]
    [InlineData("rediss://user:p%40ss@cache.local:7000/2", "rediss://cache.local:7000", "user", "p@ss", true)]
    [InlineData("redis://:secret@db", "redis://db:6379", null, "secret", false)]
    [InlineData("valkeys://db", "rediss://db:6379", null, null, true)]
    [InlineData("db:6390", "redis://db:6390", null, null, false)]
    [InlineData("localhost", "redis://localhost:6379", null, null, false)]
    [InlineData("[::1]:6379", "redis://[::1]:6379", null, null, false)]
    [InlineData("unix:///run/redis/redis.sock", "unix:///run/redis/redis.sock", null, null, false)]
    [InlineData("/run/redis.sock", "unix:///run/redis.sock", null, null, false)]
    public void Parses_addresses(string text, string display, string? user, string? password, bool tls)
    {
        Assert.True(RedisEndpoint.TryParse(text, out var endpoint, out var error), error);
        Assert.Equal(display, endpoint.Display);
        Assert.Equal(user, endpoint.User);
        Assert.Equal(password, endpoint.Password);
        Assert.Equal(tls, endpoint.UseTls);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://db:6379", "unsupported scheme")]
    [InlineData("redis://db:6379/abc", "not a database number")]
    [InlineData("unix://relative.sock", "absolute socket path")]
    public void Rejects_bad_addresses_without_repeating_credentials(string text, string message)
    {
        Assert.False(RedisEndpoint.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_address_error_never_shows_the_password()
    {
        Assert.False(RedisEndpoint.TryParse("redis://:hunter2@bad host:1", out _, out var error));
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }
}
