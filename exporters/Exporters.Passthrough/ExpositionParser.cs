using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Exporters.Passthrough;

/// <summary>The two exposition formats the parser reads.</summary>
public enum ExpositionSyntax
{
    /// <summary>Prometheus text format 0.0.4.</summary>
    Text,

    /// <summary>OpenMetrics 1.0.0 text.</summary>
    OpenMetrics,
}

/// <summary>Receives what <see cref="ExpositionParser"/> reads.</summary>
public interface IFamilySink
{
    /// <summary>A complete family. The instance is reused: copy what you keep before returning.</summary>
    /// <param name="family">The family.</param>
    void OnFamily(ParsedFamily family);

    /// <summary>A line that was skipped because it is not valid.</summary>
    /// <param name="lineNumber">The 1-based line number.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="line">The line's bytes (valid only during the call).</param>
    void OnMalformedLine(int lineNumber, string reason, ReadOnlySpan<byte> line);
}

/// <summary>Counts for one parsed document.</summary>
/// <param name="Lines">Lines read.</param>
/// <param name="Families">Families handed to the sink.</param>
/// <param name="Samples">Samples in those families.</param>
/// <param name="MalformedLines">Lines skipped as invalid.</param>
public readonly record struct ParseSummary(int Lines, int Families, int Samples, int MalformedLines);

/// <summary>
/// A streaming parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0.0. Bytes are fed in chunks of any
/// size; each family is handed to an <see cref="IFamilySink"/> as soon as it is complete, so memory is bounded by
/// the largest family rather than the document. Names and label values are interned across documents, so a parser
/// kept between scrapes of the same target allocates little once warm.
/// </summary>
/// <remarks>
/// Invalid lines are reported to the sink and skipped; a valid line is never dropped because of an invalid one.
/// Sample timestamps and exemplars are read and ignored (an exporter does not forward sample timestamps).
/// One instance parses one document at a time and is not thread-safe.
/// </remarks>
public sealed class ExpositionParser
{
    private const int MaxInterned = 50_000;
    private static readonly SearchValues<byte> NumberBytes = SearchValues.Create("0123456789.eE+-"u8);

    private readonly ParsedFamily _family = new();
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly StringCache _names = new(MaxInterned);
    private readonly StringCache _values = new(MaxInterned);
    private byte[] _carry = [];
    private int _carryLength;
    private bool _discardingLongLine;
    private byte[] _scratchBytes = new byte[256];
    private char[] _scratchChars = new char[256];
    private IFamilySink? _sink;
    private ExpositionSyntax _syntax;
    private int _line;
    private int _families;
    private int _samples;
    private int _malformed;
    private bool _hasFamily;
    private bool _skipFamily;
    private bool _sawHelp;
    private bool _sawType;
    private bool _sawUnit;
    private bool _eof;

    /// <summary>Creates a parser.</summary>
    /// <param name="maxLineLength">Longer lines are reported as malformed and skipped.</param>
    public ExpositionParser(int maxLineLength = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineLength);
        MaxLineLength = maxLineLength;
    }

    /// <summary>The longest line accepted, in bytes.</summary>
    public int MaxLineLength { get; }

    /// <summary>Parses a whole document held in memory.</summary>
    /// <param name="document">The document.</param>
    /// <param name="syntax">Its format.</param>
    /// <param name="sink">Receives families and malformed lines.</param>
    /// <returns>The counts.</returns>
    public ParseSummary Parse(ReadOnlySpan<byte> document, ExpositionSyntax syntax, IFamilySink sink)
    {
        Begin(syntax, sink);
        Feed(document);
        return End();
    }

    /// <summary>Parses a document read from <paramref name="stream"/>, family by family as the bytes arrive.</summary>
    /// <param name="stream">The document.</param>
    /// <param name="syntax">Its format.</param>
    /// <param name="sink">Receives families and malformed lines.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The counts.</returns>
    public async Task<ParseSummary> ParseAsync(Stream stream, ExpositionSyntax syntax, IFamilySink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Begin(syntax, sink);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                Feed(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return End();
    }

    /// <summary>Starts a document; follow with <see cref="Feed"/> calls and one <see cref="End"/>.</summary>
    /// <param name="syntax">The document's format.</param>
    /// <param name="sink">Receives families and malformed lines.</param>
    public void Begin(ExpositionSyntax syntax, IFamilySink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        _syntax = syntax;
        _line = 0;
        _families = 0;
        _samples = 0;
        _malformed = 0;
        _carryLength = 0;
        _discardingLongLine = false;
        _hasFamily = false;
        _skipFamily = false;
        _eof = false;
        _finished.Clear();
    }

    /// <summary>Parses the next bytes of the document; a line may be split across calls.</summary>
    /// <param name="chunk">The bytes.</param>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_sink is null)
        {
            throw new InvalidOperationException("call Begin before Feed");
        }

        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            var part = newline < 0 ? chunk : chunk[..newline];
            if (_discardingLongLine)
            {
                // The rest of an over-long line, already reported.
                if (newline >= 0)
                {
                    _discardingLongLine = false;
                }
            }
            else if (_carryLength > 0 || newline < 0)
            {
                if (_carryLength + part.Length > MaxLineLength)
                {
                    _line++;
                    Malformed($"line is longer than {MaxLineLength} bytes", _carry.AsSpan(0, Math.Min(_carryLength, 200)));
                    _carryLength = 0;
                    _discardingLongLine = newline < 0;
                }
                else
                {
                    if (_carry.Length < _carryLength + part.Length)
                    {
                        Array.Resize(ref _carry, Math.Max(_carryLength + part.Length, Math.Max(256, _carry.Length * 2)));
                    }

                    part.CopyTo(_carry.AsSpan(_carryLength));
                    _carryLength += part.Length;
                    if (newline >= 0)
                    {
                        var length = _carryLength;
                        _carryLength = 0;
                        ProcessLine(_carry.AsSpan(0, length));
                    }
                }
            }
            else
            {
                ProcessLine(part);
            }

            if (newline < 0)
            {
                break;
            }

            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>Ends the document: parses a last line without a line break and hands over the last family.</summary>
    /// <returns>The counts.</returns>
    public ParseSummary End()
    {
        if (_sink is null)
        {
            throw new InvalidOperationException("call Begin before End");
        }

        if (_carryLength > 0)
        {
            var length = _carryLength;
            _carryLength = 0;
            ProcessLine(_carry.AsSpan(0, length));
        }

        FinishFamily();
        if (_syntax == ExpositionSyntax.OpenMetrics && !_eof)
        {
            _line++;
            Malformed("OpenMetrics document does not end with '# EOF' (truncated?)", default);
        }

        var summary = new ParseSummary(_line, _families, _samples, _malformed);
        _sink = null;
        return summary;
    }

    private bool OpenMetrics => _syntax == ExpositionSyntax.OpenMetrics;

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        _line++;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (_eof)
        {
            Malformed("content after '# EOF'", line);
            return;
        }

        if (line.IsEmpty || line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0)
        {
            if (OpenMetrics)
            {
                Malformed("empty line (not allowed in OpenMetrics)", line);
            }

            return;
        }

        if (line[0] == (byte)'#')
        {
            ProcessComment(line);
        }
        else
        {
            ProcessSample(line);
        }
    }

    private void ProcessComment(ReadOnlySpan<byte> line)
    {
        var rest = line[1..];
        if (OpenMetrics && rest.SequenceEqual(" EOF"u8))
        {
            FinishFamily();
            _eof = true;
            return;
        }

        int kind;
        if (rest.StartsWith(" HELP "u8))
        {
            kind = 0;
        }
        else if (rest.StartsWith(" TYPE "u8))
        {
            kind = 1;
        }
        else if (OpenMetrics && rest.StartsWith(" UNIT "u8))
        {
            kind = 2;
        }
        else
        {
            if (OpenMetrics)
            {
                Malformed("unknown comment (OpenMetrics allows only HELP, TYPE, UNIT and EOF)", line);
            }

            return;
        }

        rest = rest[6..];
        if (!OpenMetrics)
        {
            rest = rest.TrimStart(" \t"u8);
        }

        var nameLength = MetricNameLength(rest);
        if (nameLength == 0 || (nameLength < rest.Length && rest[nameLength] != (byte)' ' && rest[nameLength] != (byte)'\t'))
        {
            Malformed("metadata line without a valid metric name", line);
            return;
        }

        var nameBytes = rest[..nameLength];
        var argument = nameLength < rest.Length ? rest[(nameLength + 1)..] : default;
        if (!OpenMetrics && kind == 1)
        {
            argument = argument.Trim(" \t"u8);
        }

        if (!_hasFamily || !NameEquals(nameBytes, _family.Name))
        {
            StartFamily(_names.GetAscii(nameBytes), OpenMetrics ? ParsedType.Unknown : ParsedType.Untyped);
        }
        else if (_family.HasSamples)
        {
            Malformed("metadata after the family's samples", line);
            return;
        }

        if (_skipFamily)
        {
            Malformed($"family '{_family.Name}' appears twice (its lines must be contiguous)", line);
            return;
        }

        switch (kind)
        {
            case 0:
                if (_sawHelp)
                {
                    Malformed("second HELP line for the family", line);
                    return;
                }

                if (!TryUnescape(argument, OpenMetrics, out var help))
                {
                    Malformed("HELP text has an invalid escape or is not UTF-8", line);
                    return;
                }

                _family.Help = _values.Get(help);
                _sawHelp = true;
                break;
            case 1:
                if (_sawType)
                {
                    Malformed("second TYPE line for the family", line);
                    return;
                }

                if (!TryParseType(argument, out var type))
                {
                    Malformed("unknown metric type", line);
                    return;
                }

                _family.Type = type;
                _sawType = true;
                break;
            default:
                if (_sawUnit || argument.IsEmpty || MetricNameLength(argument) != argument.Length)
                {
                    Malformed(_sawUnit ? "second UNIT line for the family" : "UNIT is empty or not a valid name part", line);
                    return;
                }

                _family.Unit = _names.GetAscii(argument);
                _sawUnit = true;
                break;
        }
    }

    private bool TryParseType(ReadOnlySpan<byte> word, out ParsedType type)
    {
        type = word switch
        {
            _ when word.SequenceEqual("counter"u8) => ParsedType.Counter,
            _ when word.SequenceEqual("gauge"u8) => ParsedType.Gauge,
            _ when word.SequenceEqual("histogram"u8) => ParsedType.Histogram,
            _ when word.SequenceEqual("summary"u8) => ParsedType.Summary,
            _ when !OpenMetrics && word.SequenceEqual("untyped"u8) => ParsedType.Untyped,
            _ when OpenMetrics && word.SequenceEqual("unknown"u8) => ParsedType.Unknown,
            _ when OpenMetrics && word.SequenceEqual("gaugehistogram"u8) => ParsedType.GaugeHistogram,
            _ when OpenMetrics && word.SequenceEqual("info"u8) => ParsedType.Info,
            _ when OpenMetrics && word.SequenceEqual("stateset"u8) => ParsedType.StateSet,
            _ => (ParsedType)(-1),
        };
        return type >= 0;
    }

    private void ProcessSample(ReadOnlySpan<byte> line)
    {
        var nameLength = MetricNameLength(line);
        if (nameLength == 0)
        {
            Malformed("sample line does not start with a valid metric name", line);
            return;
        }

        var nameBytes = line[..nameLength];
        if (!_hasFamily || !Belongs(nameBytes, out var kind))
        {
            StartFamily(_names.GetAscii(nameBytes), OpenMetrics ? ParsedType.Unknown : ParsedType.Untyped);
            kind = SampleKind.Plain;
        }

        if (_skipFamily)
        {
            Malformed($"family '{_family.Name}' appears twice (its lines must be contiguous)", line);
            return;
        }

        var labelStart = _family.LabelLength;
        var rest = line[nameLength..];
        string? error = null;
        if (!rest.IsEmpty && rest[0] == (byte)'{')
        {
            error = ParseLabels(ref rest, labelStart);
        }

        var value = 0d;
        if (error is null)
        {
            error = ParseValueAndRest(rest, out value);
        }

        if (error is not null)
        {
            _family.TruncateLabels(labelStart);
            Malformed(error, line);
            return;
        }

        _family.AddSample(new ParsedSample(kind, labelStart, _family.LabelLength - labelStart, value, _line));
    }

    private string? ParseLabels(ref ReadOnlySpan<byte> rest, int labelStart)
    {
        rest = rest[1..];
        while (true)
        {
            if (!OpenMetrics)
            {
                rest = rest.TrimStart(" \t"u8);
            }

            if (rest.IsEmpty)
            {
                return "label set is not closed with '}'";
            }

            if (rest[0] == (byte)'}')
            {
                rest = rest[1..];
                return null;
            }

            var nameLength = LabelNameLength(rest);
            if (nameLength == 0)
            {
                return "invalid label name";
            }

            var labelName = rest[..nameLength];
            if (labelName.StartsWith("__"u8))
            {
                return "label names starting with '__' are reserved";
            }

            rest = rest[nameLength..];
            if (!OpenMetrics)
            {
                rest = rest.TrimStart(" \t"u8);
            }

            if (rest.IsEmpty || rest[0] != (byte)'=')
            {
                return "expected '=' after label name";
            }

            rest = rest[1..];
            if (!OpenMetrics)
            {
                rest = rest.TrimStart(" \t"u8);
            }

            if (rest.IsEmpty || rest[0] != (byte)'"')
            {
                return "expected '\"' to open a label value";
            }

            rest = rest[1..];
            var end = ClosingQuote(rest);
            if (end < 0)
            {
                return "label value is not closed with '\"'";
            }

            if (!TryUnescape(rest[..end], quoteEscape: true, out var chars))
            {
                return "label value has an invalid escape or is not UTF-8";
            }

            var name = _names.GetAscii(labelName);
            for (var i = labelStart; i < _family.LabelLength; i++)
            {
                if (ReferenceEquals(_family.LabelNameAt(i), name))
                {
                    return $"label '{name}' appears twice";
                }
            }

            _family.AddLabel(name, _values.Get(chars));
            rest = rest[(end + 1)..];
            if (!OpenMetrics)
            {
                rest = rest.TrimStart(" \t"u8);
            }

            if (!rest.IsEmpty && rest[0] == (byte)',')
            {
                rest = rest[1..];
                if (OpenMetrics && !rest.IsEmpty && rest[0] == (byte)'}')
                {
                    return "trailing comma in label set";
                }
            }
            else if (rest.IsEmpty || rest[0] != (byte)'}')
            {
                return "expected ',' or '}' after a label value";
            }
        }
    }

    private string? ParseValueAndRest(ReadOnlySpan<byte> rest, out double value)
    {
        value = 0;
        if (rest.IsEmpty || (rest[0] != (byte)' ' && rest[0] != (byte)'\t'))
        {
            return rest.IsEmpty ? "sample has no value" : "unexpected character after metric name or labels";
        }

        rest = OpenMetrics ? rest[1..] : rest.TrimStart(" \t"u8);
        var end = rest.IndexOfAny((byte)' ', (byte)'\t');
        var token = end < 0 ? rest : rest[..end];
        if (!TryParseNumber(token, out value))
        {
            return "sample value is not a number";
        }

        rest = end < 0 ? default : (OpenMetrics ? rest[(end + 1)..] : rest[end..].TrimStart(" \t"u8));
        if (rest.IsEmpty)
        {
            return OpenMetrics && end >= 0 ? "trailing space after the value" : null;
        }

        if (rest[0] != (byte)'#')
        {
            end = rest.IndexOfAny((byte)' ', (byte)'\t');
            token = end < 0 ? rest : rest[..end];
            if (!TryParseNumber(token, out var timestamp) || !double.IsFinite(timestamp))
            {
                return "sample timestamp is not a number";
            }

            rest = end < 0 ? default : (OpenMetrics ? rest[(end + 1)..] : rest[end..].TrimStart(" \t"u8));
            if (rest.IsEmpty)
            {
                return null;
            }
        }

        // An exemplar: kept out of the re-exposed data, but still checked for shape.
        if (OpenMetrics && rest.StartsWith("# {"u8) && rest.IndexOf((byte)'}') > 0)
        {
            return null;
        }

        return "unexpected text after the value";
    }

    private bool Belongs(ReadOnlySpan<byte> name, out SampleKind kind)
    {
        kind = SampleKind.Plain;
        var family = _family.Name;
        if (name.Length < family.Length || !NameEquals(name[..family.Length], family))
        {
            return false;
        }

        var suffix = name[family.Length..];
        var type = _family.Type;
        if (suffix.IsEmpty)
        {
            return OpenMetrics
                ? type is ParsedType.Unknown or ParsedType.Gauge or ParsedType.Summary or ParsedType.StateSet
                : type is ParsedType.Untyped or ParsedType.Gauge or ParsedType.Counter or ParsedType.Summary;
        }

        kind = suffix switch
        {
            _ when suffix.SequenceEqual("_bucket"u8) => SampleKind.Bucket,
            _ when suffix.SequenceEqual("_sum"u8) => SampleKind.Sum,
            _ when suffix.SequenceEqual("_count"u8) => SampleKind.Count,
            _ when suffix.SequenceEqual("_total"u8) => SampleKind.Total,
            _ when suffix.SequenceEqual("_created"u8) => SampleKind.Created,
            _ when suffix.SequenceEqual("_gsum"u8) => SampleKind.GaugeSum,
            _ when suffix.SequenceEqual("_gcount"u8) => SampleKind.GaugeCount,
            _ when suffix.SequenceEqual("_info"u8) => SampleKind.Info,
            _ => SampleKind.Plain,
        };
        if (kind == SampleKind.Plain)
        {
            return false;
        }

        if (!OpenMetrics)
        {
            return type switch
            {
                ParsedType.Histogram => kind is SampleKind.Bucket or SampleKind.Sum or SampleKind.Count,
                ParsedType.Summary => kind is SampleKind.Sum or SampleKind.Count,
                _ => false,
            };
        }

        return type switch
        {
            ParsedType.Counter => kind is SampleKind.Total or SampleKind.Created,
            ParsedType.Histogram => kind is SampleKind.Bucket or SampleKind.Sum or SampleKind.Count or SampleKind.Created,
            ParsedType.GaugeHistogram => kind is SampleKind.Bucket or SampleKind.GaugeSum or SampleKind.GaugeCount,
            ParsedType.Summary => kind is SampleKind.Sum or SampleKind.Count or SampleKind.Created,
            ParsedType.Info => kind is SampleKind.Info,
            _ => false,
        };
    }

    private void StartFamily(string name, ParsedType type)
    {
        FinishFamily();
        _family.Reset(name, type);
        _hasFamily = true;
        _sawHelp = _sawType = _sawUnit = false;
        _skipFamily = _finished.Contains(name);
    }

    private void FinishFamily()
    {
        if (!_hasFamily)
        {
            return;
        }

        _hasFamily = false;
        if (_skipFamily)
        {
            return;
        }

        _finished.Add(_family.Name);
        if (_family.HasSamples)
        {
            _families++;
            _samples += _family.Samples.Count;
            _sink!.OnFamily(_family);
        }
    }

    private void Malformed(string reason, ReadOnlySpan<byte> line)
    {
        _malformed++;
        _sink!.OnMalformedLine(_line, reason, line);
    }

    /// <summary>Unescapes <c>\\</c>, <c>\n</c> and (when asked) <c>\"</c>, then decodes UTF-8 into the scratch buffer.</summary>
    private bool TryUnescape(ReadOnlySpan<byte> text, bool quoteEscape, out ReadOnlySpan<char> result)
    {
        result = default;
        var source = text;
        if (text.IndexOf((byte)'\\') >= 0)
        {
            if (_scratchBytes.Length < text.Length)
            {
                _scratchBytes = new byte[Math.Max(text.Length, _scratchBytes.Length * 2)];
            }

            var written = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var b = text[i];
                if (b == (byte)'\\')
                {
                    if (++i == text.Length)
                    {
                        return false;
                    }

                    b = text[i] switch
                    {
                        (byte)'\\' => (byte)'\\',
                        (byte)'n' => (byte)'\n',
                        (byte)'"' when quoteEscape => (byte)'"',
                        _ => 0,
                    };
                    if (b == 0)
                    {
                        return false;
                    }
                }

                _scratchBytes[written++] = b;
            }

            source = _scratchBytes.AsSpan(0, written);
        }

        if (_scratchChars.Length < source.Length)
        {
            _scratchChars = new char[Math.Max(source.Length, _scratchChars.Length * 2)];
        }

        if (Utf8.ToUtf16(source, _scratchChars, out _, out var chars, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return false;
        }

        result = _scratchChars.AsSpan(0, chars);
        return true;
    }

    private static int ClosingQuote(ReadOnlySpan<byte> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\\')
            {
                i++;
            }
            else if (text[i] == (byte)'"')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Parses a float the way Prometheus does, including <c>NaN</c>, <c>+Inf</c> and <c>-Inf</c>.</summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> token, out double value)
    {
        value = 0;
        if (token.IsEmpty)
        {
            return false;
        }

        var unsigned = token[0] is (byte)'+' or (byte)'-' ? token[1..] : token;
        var negative = token[0] == (byte)'-';
        if (Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (Ascii.EqualsIgnoreCase(unsigned, "nan"u8))
        {
            value = double.NaN;
            return true;
        }

        if (unsigned.IsEmpty || unsigned.IndexOfAnyExcept(NumberBytes) >= 0)
        {
            return false;
        }

        return double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
    }

    private static int MetricNameLength(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var ok = char.IsAsciiLetter((char)c) || c == (byte)'_' || c == (byte)':' || (i > 0 && char.IsAsciiDigit((char)c));
            if (!ok)
            {
                break;
            }

            i++;
        }

        return i;
    }

    private static int LabelNameLength(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var ok = char.IsAsciiLetter((char)c) || c == (byte)'_' || (i > 0 && char.IsAsciiDigit((char)c));
            if (!ok)
            {
                break;
            }

            i++;
        }

        return i;
    }

    private static bool NameEquals(ReadOnlySpan<byte> ascii, string name)
    {
        if (ascii.Length != name.Length)
        {
            return false;
        }

        for (var i = 0; i < ascii.Length; i++)
        {
            if (ascii[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Interns strings so repeated names and values across scrapes are not allocated again.</summary>
    private sealed class StringCache(int capacity)
    {
        private readonly HashSet<string> _set = new(StringComparer.Ordinal);
        private char[] _ascii = new char[128];

        public string Get(ReadOnlySpan<char> chars)
        {
            var lookup = _set.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars, out var existing))
            {
                return existing;
            }

            // Bounded: a target with ever-changing values must not grow the cache forever.
            if (_set.Count >= capacity)
            {
                _set.Clear();
            }

            var created = new string(chars);
            _set.Add(created);
            return created;
        }

        public string GetAscii(ReadOnlySpan<byte> ascii)
        {
            if (_ascii.Length < ascii.Length)
            {
                _ascii = new char[Math.Max(ascii.Length, _ascii.Length * 2)];
            }

            var chars = _ascii.AsSpan(0, ascii.Length);
            Ascii.ToUtf16(ascii, chars, out _);
            return Get(chars);
        }
    }
}
