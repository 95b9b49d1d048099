using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Exporters.Redis.Protocol;

/// <summary>Parses RESP2 and RESP3 replies from buffered bytes without waiting for more.</summary>
internal static class RespParser
{
    /// <summary>Deepest nesting accepted; real replies nest two or three levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most elements accepted in one aggregate, so a corrupt length cannot allocate without bound.</summary>
    public const int MaxElements = 1 << 20;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Parses one complete reply from <paramref name="reader"/>. Returns false, leaving the reader where it was, when
    /// the bytes so far are a valid but incomplete reply; throws <see cref="RespProtocolException"/> when they are not
    /// valid or exceed <paramref name="maxBulkLength"/>.
    /// </summary>
    public static bool TryParse(ref SequenceReader<byte> reader, long maxBulkLength, out RespValue value) =>
        TryParse(ref reader, maxBulkLength, new RespArena(), out value);

    /// <summary>
    /// As <see cref="TryParse(ref SequenceReader{byte}, long, out RespValue)"/>, copying bulk strings into
    /// <paramref name="arena"/>, which the replies of one batch share.
    /// </summary>
    public static bool TryParse(ref SequenceReader<byte> reader, long maxBulkLength, RespArena arena, out RespValue value)
    {
        var copy = reader;
        var mark = arena.Mark();
        if (TryParse(ref copy, maxBulkLength, arena, 0, out value))
        {
            reader = copy;
            return true;
        }

        arena.Rewind(mark);
        return false;
    }

    private static bool TryParse(ref SequenceReader<byte> reader, long maxBulk, RespArena arena, int depth, out RespValue value)
    {
        value = RespValue.NullValue;
        if (depth > MaxDepth)
        {
            throw new RespProtocolException($"reply nests deeper than {MaxDepth} levels");
        }

        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                return TryLine(ref reader, maxBulk, out var simple) && Set(RespValue.Simple(Decode(simple)), out value);
            case (byte)'-':
                return TryLine(ref reader, maxBulk, out var error) && Set(RespValue.Error(Decode(error)), out value);
            case (byte)':':
                return TryLine(ref reader, maxBulk, out var integer) && Set(RespValue.Int(ParseInteger(integer, "integer")), out value);
            case (byte)',':
                return TryLine(ref reader, maxBulk, out var dbl) && Set(RespValue.Dbl(ParseDouble(dbl)), out value);
            case (byte)'#':
                if (!TryLine(ref reader, maxBulk, out var boolean))
                {
                    return false;
                }

                var text = Decode(boolean);
                return text switch
                {
                    "t" => Set(RespValue.Bool(true), out value),
                    "f" => Set(RespValue.Bool(false), out value),
                    _ => throw new RespProtocolException($"boolean reply '{Truncate(text)}' is neither t nor f"),
                };
            case (byte)'(':
                return TryLine(ref reader, maxBulk, out var big) && Set(RespValue.Big(Decode(big)), out value);
            case (byte)'_':
                return TryLine(ref reader, maxBulk, out var nil) && (nil.IsEmpty ? Set(RespValue.NullValue, out value) : throw new RespProtocolException("null reply carries data"));
            case (byte)'$' or (byte)'=' or (byte)'!':
                return TryBulk(ref reader, prefix, maxBulk, arena, out value);
            case (byte)'*' or (byte)'%' or (byte)'~' or (byte)'>' or (byte)'|':
                return TryAggregate(ref reader, prefix, maxBulk, arena, depth, out value);
            default:
                throw new RespProtocolException($"unexpected reply type byte 0x{prefix:x2}");
        }
    }

    private static bool TryBulk(ref SequenceReader<byte> reader, byte prefix, long maxBulk, RespArena arena, out RespValue value)
    {
        value = RespValue.NullValue;
        if (!TryLine(ref reader, maxBulk, out var lengthLine))
        {
            return false;
        }

        var length = ParseInteger(lengthLine, "bulk length");
        if (length == -1)
        {
            return true;
        }

        if (length < 0)
        {
            throw new RespProtocolException($"bulk length {length} is negative");
        }

        if (length > maxBulk)
        {
            throw new RespProtocolException($"bulk string of {length} bytes exceeds the limit of {maxBulk} bytes");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var payload = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RespProtocolException("bulk string is not followed by CRLF");
        }

        if (prefix == (byte)'$')
        {
            value = RespValue.Bulk(arena.Copy(payload, reader.Remaining));
            return true;
        }

        var text = Decode(payload);
        if (prefix == (byte)'=' && text.Length >= 4 && text[3] == ':')
        {
            // Verbatim strings start with a three-letter format and a colon; callers want the text.
            text = text[4..];
        }

        value = prefix == (byte)'!' ? RespValue.Error(text) : RespValue.Bulk(text);
        return true;
    }

    private static bool TryAggregate(ref SequenceReader<byte> reader, byte prefix, long maxBulk, RespArena arena, int depth, out RespValue value)
    {
        value = RespValue.NullValue;
        if (!TryLine(ref reader, maxBulk, out var countLine))
        {
            return false;
        }

        var count = ParseInteger(countLine, "aggregate length");
        if (count == -1 && prefix == (byte)'*')
        {
            return true;
        }

        var isMap = prefix is (byte)'%' or (byte)'|';
        var elements = isMap ? count * 2 : count;
        if (count < 0 || elements > MaxElements)
        {
            throw new RespProtocolException($"aggregate length {count} is out of range");
        }

        var items = elements == 0 ? [] : new RespValue[elements];
        for (var i = 0; i < elements; i++)
        {
            if (!TryParse(ref reader, maxBulk, arena, depth + 1, out items[i]))
            {
                return false;
            }
        }

        if (prefix == (byte)'|')
        {
            // Attributes annotate the reply that follows them; the reply itself is what callers want.
            return TryParse(ref reader, maxBulk, arena, depth + 1, out value);
        }

        var kind = prefix switch
        {
            (byte)'%' => RespKind.Map,
            (byte)'~' => RespKind.Set,
            (byte)'>' => RespKind.Push,
            _ => RespKind.Array,
        };
        value = RespValue.Aggregate(kind, items);
        return true;
    }

    private static bool TryLine(ref SequenceReader<byte> reader, long maxLength, out ReadOnlySequence<byte> line)
    {
        if (reader.TryReadTo(out line, "\r\n"u8, advancePastDelimiter: true))
        {
            return true;
        }

        if (reader.Remaining > maxLength)
        {
            throw new RespProtocolException($"reply line exceeds the limit of {maxLength} bytes");
        }

        return false;
    }

    private static long ParseInteger(ReadOnlySequence<byte> line, string what)
    {
        Span<byte> buffer = stackalloc byte[24];
        if (line.Length is 0 or > 24)
        {
            throw new RespProtocolException($"{what} is not an integer");
        }

        line.CopyTo(buffer);
        var span = buffer[..(int)line.Length];
        if (!Utf8Parser.TryParse(span, out long result, out var consumed) || consumed != span.Length)
        {
            throw new RespProtocolException($"{what} '{Truncate(Encoding.ASCII.GetString(span))}' is not an integer");
        }

        return result;
    }

    private static double ParseDouble(ReadOnlySequence<byte> line)
    {
        var text = Decode(line);
        return text switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" => double.NaN,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? d
                : throw new RespProtocolException($"double reply '{Truncate(text)}' is not a number"),
        };
    }

    private static string Decode(ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment ? Utf8.GetString(bytes.FirstSpan) : Utf8.GetString(bytes);

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";

    private static bool Set(RespValue result, out RespValue value)
    {
        value = result;
        return true;
    }
}
