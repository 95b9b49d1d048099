using System.Buffers;
using System.Globalization;

namespace Exporters.Redis;

/// <summary>
/// Reads the text replies of INFO, CLUSTER INFO and CLIENT LIST in place, as spans of the decoded reply: a scrape
/// creates strings only for the label values it writes (see <see cref="LabelCache"/>).
/// </summary>
internal static class InfoText
{
    /// <summary>The line ends of <see cref="MemoryExtensions.EnumerateLines(ReadOnlySpan{char})"/>.</summary>
    internal static readonly SearchValues<char> LineEnds = SearchValues.Create("\r\n\f\u0085\u2028\u2029");

    /// <summary>
    /// The <c>field:value</c> lines of an INFO reply with the section each is in. Lines end as
    /// <see cref="MemoryExtensions.EnumerateLines(ReadOnlySpan{char})"/> says (CR, LF, CRLF, FF, NEL, LS, PS); empty
    /// lines, lines without a colon and lines starting with one are skipped; a line starting with <c>#</c> names the
    /// section (trimmed). Neither field nor value is trimmed, and a value may contain colons.
    /// </summary>
    public static InfoLineEnumerator Fields(ReadOnlySpan<char> text) => new(text);

    /// <summary>The <c>a=1,b=2</c> pairs of a composite INFO value (keyspace, cmdstat, slave lines), in order.</summary>
    public static PairEnumerator Pairs(ReadOnlySpan<char> value, char separator = ',') => new(value, separator);

    /// <summary>
    /// The value of <paramref name="key"/> among the pairs of <paramref name="value"/>. Parts without <c>=</c> or
    /// starting with it are ignored; when a key appears twice the last value counts, as redis_exporter reads it.
    /// </summary>
    public static bool TryGetPair(ReadOnlySpan<char> value, ReadOnlySpan<char> key, out ReadOnlySpan<char> found, char separator = ',')
    {
        var hit = false;
        found = default;
        foreach (var pair in new PairEnumerator(value, separator))
        {
            if (pair.Key.SequenceEqual(key))
            {
                found = pair.Value;
                hit = true;
            }
        }

        return hit;
    }

    /// <summary>
    /// An INFO value as a number: <c>ok</c>, <c>up</c>, <c>true</c>, <c>yes</c> are 1; <c>fail</c>, <c>err</c>,
    /// <c>down</c>, <c>false</c>, <c>no</c> are 0; anything else is parsed as a floating-point number in the
    /// invariant culture.
    /// </summary>
    public static bool TryParseValue(ReadOnlySpan<char> value, out double number)
    {
        switch (value)
        {
            case "ok" or "up" or "true" or "yes":
                number = 1;
                return true;
            case "fail" or "err" or "down" or "false" or "no":
                number = 0;
                return true;
            default:
                return TryParseDigits(value, out number) || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
    }

    /// <summary>
    /// Most INFO values are unsigned integers: up to 15 digits convert to a double exactly, the same value the full
    /// parser gives, several times faster. Anything else (signs, points, exponents, spaces) is left to it.
    /// </summary>
    private static bool TryParseDigits(ReadOnlySpan<char> value, out double number)
    {
        number = 0;
        if (value.IsEmpty || value.Length > 15)
        {
            return false;
        }

        long result = 0;
        foreach (var c in value)
        {
            var digit = c - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        number = result;
        return true;
    }
}

/// <summary>One <c>field:value</c> line of an INFO reply: spans of the reply and the field's offset in it.</summary>
internal readonly ref struct InfoLine(ReadOnlySpan<char> section, ReadOnlySpan<char> field, ReadOnlySpan<char> value, int fieldStart)
{
    public ReadOnlySpan<char> Section { get; } = section;

    public ReadOnlySpan<char> Field { get; } = field;

    public ReadOnlySpan<char> Value { get; } = value;

    /// <summary>Where <see cref="Field"/> starts in the reply; the value starts after the field and its colon.</summary>
    public int FieldStart { get; } = fieldStart;
}

/// <summary>Enumerates the <c>field:value</c> lines of an INFO reply; see <see cref="InfoText.Fields"/>.</summary>
internal ref struct InfoLineEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private ReadOnlySpan<char> _section;
    private int _next;
    private InfoLine _current;

    public InfoLineEnumerator(ReadOnlySpan<char> text)
    {
        _text = text;
        _section = ReadOnlySpan<char>.Empty;
    }

    public readonly InfoLine Current => _current;

    public readonly InfoLineEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_next < _text.Length)
        {
            var start = _next;
            var rest = _text[start..];
            var end = rest.IndexOfAny(InfoText.LineEnds);
            ReadOnlySpan<char> line;
            if (end < 0)
            {
                line = rest;
                _next = _text.Length;
            }
            else
            {
                line = rest[..end];
                _next = start + end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
            }

            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                _section = line[1..].Trim();
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            _current = new InfoLine(_section, line[..colon], line[(colon + 1)..], start);
            return true;
        }

        return false;
    }
}

/// <summary>One <c>key=value</c> part of a composite value.</summary>
internal readonly ref struct InfoPair(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
{
    public ReadOnlySpan<char> Key { get; } = key;

    public ReadOnlySpan<char> Value { get; } = value;
}

/// <summary>
/// Enumerates the <c>key=value</c> parts of a composite value split on a separator. Empty parts, parts without
/// <c>=</c> and parts starting with it are skipped; the value is everything after the first <c>=</c>.
/// </summary>
internal ref struct PairEnumerator
{
    private readonly char _separator;
    private ReadOnlySpan<char> _rest;
    private InfoPair _current;

    public PairEnumerator(ReadOnlySpan<char> value, char separator)
    {
        _rest = value;
        _separator = separator;
    }

    public readonly InfoPair Current => _current;

    public readonly PairEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            var end = _rest.IndexOf(_separator);
            ReadOnlySpan<char> part;
            if (end < 0)
            {
                part = _rest;
                _rest = ReadOnlySpan<char>.Empty;
            }
            else
            {
                part = _rest[..end];
                _rest = _rest[(end + 1)..];
            }

            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                _current = new InfoPair(part[..eq], part[(eq + 1)..]);
                return true;
            }
        }

        return false;
    }
}
