using System.Buffers;
using System.Globalization;
using System.Text;

namespace Exporters.Exposition;

/// <summary>Buffered UTF-8 writing into an <see cref="IBufferWriter{T}"/>, with the escaping rules of the formats.</summary>
internal ref struct Utf8Output
{
    // Kestrel's response buffers are 4 KiB blocks from which a chunked response reserves room for its chunk
    // header: asking for a whole 4 KiB makes it hand out a freshly allocated buffer instead of a pooled block.
    private const int MinimumChunk = 2048;
    private readonly IBufferWriter<byte> _writer;
    private Span<byte> _span;
    private int _position;

    public Utf8Output(IBufferWriter<byte> writer)
    {
        _writer = writer;
        _span = writer.GetSpan(MinimumChunk);
        _position = 0;
    }

    public void Commit()
    {
        _writer.Advance(_position);
        _position = 0;
        _span = default;
    }

    public void Ascii(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_span[_position..]);
        _position += bytes.Length;
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _span[_position++] = value;
    }

    public void Text(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _position += Encoding.UTF8.GetBytes(text, _span[_position..]);
    }

    /// <summary>Writes <paramref name="text"/> escaping backslash and line feed, and double quote when asked.</summary>
    public void Escaped(string text, bool escapeQuote)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var special = escapeQuote ? rest.IndexOfAny('\\', '\n', '"') : rest.IndexOfAny('\\', '\n');
            if (special < 0)
            {
                Text(rest);
                return;
            }

            Text(rest[..special]);
            Ascii(rest[special] switch
            {
                '\\' => @"\\"u8,
                '\n' => @"\n"u8,
                _ => "\\\""u8,
            });
            rest = rest[(special + 1)..];
        }
    }

    public void Number(double value, bool forceDecimalPoint)
    {
        if (double.IsNaN(value))
        {
            Ascii("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            Ascii("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            Ascii("-Inf"u8);
        }
        else
        {
            Ensure(32);
            value.TryFormat(_span[_position..], out var written, "R", CultureInfo.InvariantCulture);
            var formatted = _span.Slice(_position, written);
            _position += written;
            if (forceDecimalPoint && formatted.IndexOfAny((byte)'.', (byte)'E') < 0)
            {
                Ascii(".0"u8);
            }
        }
    }

    private void Ensure(int bytes)
    {
        if (_span.Length - _position >= bytes)
        {
            return;
        }

        _writer.Advance(_position);
        _position = 0;
        _span = _writer.GetSpan(Math.Max(bytes, MinimumChunk));
    }
}
