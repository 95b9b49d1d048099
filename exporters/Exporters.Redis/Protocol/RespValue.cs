using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Exporters.Redis.Protocol;

/// <summary>The kinds of reply RESP2 and RESP3 define.</summary>
internal enum RespKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
    Double,
    Boolean,
    BigNumber,
    Map,
    Set,
    Push,
}

/// <summary>
/// One parsed reply. Strings are decoded as UTF-8 (invalid bytes become U+FFFD); a bulk string keeps its bytes and is
/// decoded only when its <see cref="Text"/> is asked for, so the INFO reply and the names in LATENCY HISTOGRAM are
/// read without a string each.
/// </summary>
internal sealed class RespValue
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    // Declared before NullValue: static fields initialise in text order, and NullValue's constructor reads it.
    private static readonly RespValue[] NoItems = [];

    public static readonly RespValue NullValue = new(RespKind.Null);

    // Replies such as LATENCY HISTOGRAM are mostly small integers; sharing them saves an object each.
    private static readonly RespValue[] SmallIntegers = [.. Enumerable.Range(0, 4096).Select(i => new RespValue(RespKind.Integer, scalar: i))];

    // Replies of a scrape are mostly small, so the fields overlap: _payload is the bytes of a bulk string or the
    // elements of an aggregate, _scalar the integer, boolean or the bits of a double.
    private readonly object? _payload;
    private readonly int _offset;
    private readonly int _length;
    private readonly long _scalar;
    private string? _text;

    private RespValue(RespKind kind, string? text = null, long scalar = 0, object? payload = null, int offset = 0, int length = 0)
    {
        Kind = kind;
        _text = text;
        _scalar = scalar;
        _payload = payload;
        _offset = offset;
        _length = length;
    }

    public RespKind Kind { get; }

    /// <summary>The text of a string, error, big number or verbatim string.</summary>
    public string? Text => _text ??= HasBytes ? Utf8.GetString(Utf8Bytes) : null;

    /// <summary>Whether this is a bulk string held as its UTF-8 bytes (<see cref="Utf8Bytes"/>).</summary>
    public bool HasBytes => _payload is byte[];

    /// <summary>The bytes of a bulk string (see <see cref="HasBytes"/>); empty otherwise.</summary>
    public ReadOnlySpan<byte> Utf8Bytes => _payload is byte[] bytes ? bytes.AsSpan(_offset, _length) : default;

    public long Integer => Kind is RespKind.Integer or RespKind.Boolean ? _scalar : 0;

    public double Number => Kind switch
    {
        RespKind.Integer or RespKind.Boolean => _scalar,
        RespKind.Double => BitConverter.Int64BitsToDouble(_scalar),
        _ => 0,
    };

    /// <summary>Elements of an array, set or push; keys and values alternating for a map.</summary>
    public RespValue[] Items => _payload as RespValue[] ?? NoItems;

    public bool IsError => Kind == RespKind.Error;

    public bool IsNull => Kind == RespKind.Null;

    public bool IsAggregate => Kind is RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Push;

    public static RespValue Simple(string text) => new(RespKind.SimpleString, text);

    public static RespValue Error(string text) => new(RespKind.Error, text);

    public static RespValue Bulk(string text) => new(RespKind.BulkString, text);

    /// <summary>A bulk string kept as bytes; <paramref name="utf8"/> must not change afterwards.</summary>
    public static RespValue Bulk(ReadOnlyMemory<byte> utf8) => MemoryMarshal.TryGetArray(utf8, out var segment) && segment.Array is { } array
        ? new(RespKind.BulkString, payload: array, offset: segment.Offset, length: segment.Count)
        : new(RespKind.BulkString, payload: utf8.ToArray());

    public static RespValue Int(long value) => value is >= 0 and < 4096 ? SmallIntegers[value] : new(RespKind.Integer, scalar: value);

    public static RespValue Dbl(double value) => new(RespKind.Double, scalar: BitConverter.DoubleToInt64Bits(value));

    public static RespValue Bool(bool value) => new(RespKind.Boolean, scalar: value ? 1 : 0);

    public static RespValue Big(string text) => new(RespKind.BigNumber, text);

    public static RespValue Aggregate(RespKind kind, RespValue[] items) => new(kind, payload: items);

    /// <summary>The value as text: strings as they are, numbers formatted invariantly, otherwise null.</summary>
    public string? AsString() => Kind switch
    {
        RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber or RespKind.Error => Text,
        RespKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RespKind.Double => Number.ToString(CultureInfo.InvariantCulture),
        RespKind.Boolean => Integer == 1 ? "1" : "0",
        _ => null,
    };

    /// <summary>The value as a number when it is one or is text that parses as one.</summary>
    public bool TryGetNumber(out double value)
    {
        switch (Kind)
        {
            case RespKind.Integer or RespKind.Double or RespKind.Boolean:
                value = Number;
                return true;
            case RespKind.BulkString when HasBytes && _text is null && _length <= 128:
                // Numbers are short: decode onto the stack, exactly as the string would be, and parse that.
                Span<char> chars = stackalloc char[128];
                var count = Utf8.GetChars(Utf8Bytes, chars);
                return double.TryParse(chars[..count], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            case RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber:
                return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Whether this is text equal to <paramref name="ascii"/>, compared without decoding a bulk string.</summary>
    public bool TextEquals(string ascii) => HasBytes
        ? Ascii.Equals(Utf8Bytes, ascii)
        : Kind is RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber or RespKind.Error && string.Equals(Text, ascii, StringComparison.Ordinal);

    /// <summary>
    /// The characters of <see cref="AsString"/> (empty for aggregates and nulls). A bulk string held as bytes is decoded
    /// into <paramref name="rented"/>, rented from <paramref name="pool"/> when missing or too small; the caller returns it.
    /// </summary>
    public ReadOnlySpan<char> DecodeText(ArrayPool<char> pool, ref char[]? rented)
    {
        if (!HasBytes || _text is not null)
        {
            return AsString();
        }

        var needed = Utf8.GetMaxCharCount(_length);
        if (rented is null || rented.Length < needed)
        {
            if (rented is not null)
            {
                pool.Return(rented);
            }

            rented = pool.Rent(needed);
        }

        var count = Utf8.GetChars(Utf8Bytes, rented);
        return rented.AsSpan(0, count);
    }

    /// <summary>Pairs of a map, or of a flat array of alternating keys and values (the RESP2 form of a map).</summary>
    public IEnumerable<(string Key, RespValue Value)> Pairs()
    {
        if (Kind is not (RespKind.Map or RespKind.Array))
        {
            yield break;
        }

        for (var i = 0; i + 1 < Items.Length; i += 2)
        {
            if (Items[i].AsString() is { } key)
            {
                yield return (key, Items[i + 1]);
            }
        }
    }

    public override string ToString() => Kind switch
    {
        RespKind.Error => "error " + Text,
        RespKind.Null => "null",
        _ when IsAggregate => $"{Kind.ToString().ToLowerInvariant()}[{Items.Length}]",
        _ => AsString() ?? Kind.ToString(),
    };
}
