using System.Globalization;

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

/// <summary>One parsed reply. Strings are decoded as UTF-8 (invalid bytes become U+FFFD).</summary>
internal sealed class RespValue
{
    // Declared before NullValue: static fields initialise in text order, and NullValue's constructor reads it.
    private static readonly RespValue[] NoItems = [];

    public static readonly RespValue NullValue = new(RespKind.Null);

    // Replies such as LATENCY HISTOGRAM are mostly small integers; sharing them saves an object each.
    private static readonly RespValue[] SmallIntegers = [.. Enumerable.Range(0, 4096).Select(i => new RespValue(RespKind.Integer, integer: i, number: i))];

    private RespValue(RespKind kind, string? text = null, long integer = 0, double number = 0, RespValue[]? items = null)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Number = number;
        Items = items ?? NoItems;
    }

    public RespKind Kind { get; }

    /// <summary>The text of a string, error, big number or verbatim string.</summary>
    public string? Text { get; }

    public long Integer { get; }

    public double Number { get; }

    /// <summary>Elements of an array, set or push; keys and values alternating for a map.</summary>
    public RespValue[] Items { get; }

    public bool IsError => Kind == RespKind.Error;

    public bool IsNull => Kind == RespKind.Null;

    public bool IsAggregate => Kind is RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Push;

    public static RespValue Simple(string text) => new(RespKind.SimpleString, text);

    public static RespValue Error(string text) => new(RespKind.Error, text);

    public static RespValue Bulk(string text) => new(RespKind.BulkString, text);

    public static RespValue Int(long value) => value is >= 0 and < 4096 ? SmallIntegers[value] : new(RespKind.Integer, integer: value, number: value);

    public static RespValue Dbl(double value) => new(RespKind.Double, number: value);

    public static RespValue Bool(bool value) => new(RespKind.Boolean, integer: value ? 1 : 0, number: value ? 1 : 0);

    public static RespValue Big(string text) => new(RespKind.BigNumber, text);

    public static RespValue Aggregate(RespKind kind, RespValue[] items) => new(kind, items: items);

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
            case RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber:
                return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
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
