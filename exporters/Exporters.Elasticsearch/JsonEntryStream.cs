using System.Buffers;
using System.Text.Json;

namespace Exporters.Elasticsearch;

/// <summary>
/// Reads a large JSON response as a stream and hands over one entry at a time, so memory holds one entry (one node,
/// one index, one shard row) rather than the whole response: the children of one top-level property (an object's
/// members or an array's elements), or the elements of a top-level array. Other top-level properties are handed
/// over whole.
/// </summary>
internal static class JsonEntryStream
{
    private const int InitialBuffer = 64 * 1024;

    /// <summary>Entry callback: the member name (null for array elements) and the value.</summary>
    public delegate void EntryHandler(string? key, JsonElement value);

    /// <summary>Reads <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The response body.</param>
    /// <param name="streamedProperty">The top-level property whose children are entries, or null when the root is an array of entries.</param>
    /// <param name="onEntry">Called per entry.</param>
    /// <param name="onTopLevel">Called with other top-level properties, or null to skip them.</param>
    /// <param name="maxEntryBytes">The largest single entry accepted.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="wantEntry">Says whether an object entry (by key) is wanted; unwanted entries are skipped without parsing. Must give the same answer when asked twice.</param>
    public static async Task ReadAsync(Stream stream, string? streamedProperty, EntryHandler onEntry, EntryHandler? onTopLevel, int maxEntryBytes, CancellationToken cancellationToken, Func<string, bool>? wantEntry = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var state = new ParseState { Target = streamedProperty, WantEntry = wantEntry };
            var length = 0;
            var final = false;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxEntryBytes)
                    {
                        throw new JsonException($"an entry of the response is larger than {maxEntryBytes} bytes");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxEntryBytes));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (n == 0)
                {
                    final = true;
                }

                length += n;
                var consumed = Process(buffer, length, final, state, onEntry, onTopLevel);
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                if (state.Done)
                {
                    return;
                }

                if (final)
                {
                    throw new JsonException("the response ended in the middle of the JSON document (truncated)");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Process(byte[] buffer, int length, bool final, ParseState state, EntryHandler onEntry, EntryHandler? onTopLevel)
    {
        var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state.Reader);
        var checkpoint = 0;
        while (!state.Done)
        {
            switch (state.Phase)
            {
                case Phase.Start:
                    if (!reader.Read())
                    {
                        return Commit(ref reader, state, checkpoint, rewind: false);
                    }

                    if (reader.TokenType == JsonTokenType.StartArray && state.Target is null)
                    {
                        state.Phase = Phase.ArrayEntries;
                        state.RootIsEntries = true;
                    }
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        state.Phase = Phase.TopProperty;
                    }
                    else
                    {
                        throw new JsonException($"expected a JSON {(state.Target is null ? "array" : "object")} but the response starts with {reader.TokenType}");
                    }

                    checkpoint = Save(ref reader, state);
                    break;

                case Phase.TopProperty:
                    if (!reader.Read())
                    {
                        return Commit(ref reader, state, checkpoint, rewind: false);
                    }

                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        state.Done = true;
                        return Save(ref reader, state);
                    }

                    state.Key = reader.GetString();
                    state.Phase = Phase.TopValue;
                    checkpoint = Save(ref reader, state);
                    break;

                case Phase.TopValue:
                    if (string.Equals(state.Key, state.Target, StringComparison.Ordinal))
                    {
                        if (!reader.Read())
                        {
                            return Commit(ref reader, state, checkpoint, rewind: true);
                        }

                        state.Phase = reader.TokenType switch
                        {
                            JsonTokenType.StartObject => Phase.ObjectEntryKey,
                            JsonTokenType.StartArray => Phase.ArrayEntries,
                            JsonTokenType.Null => Phase.TopProperty,
                            _ => throw new JsonException($"'{state.Target}' is {reader.TokenType}, not an object or array"),
                        };
                        checkpoint = Save(ref reader, state);
                        break;
                    }

                    if (!TryValue(ref reader, buffer, state.Key, onTopLevel))
                    {
                        return Commit(ref reader, state, checkpoint, rewind: true);
                    }

                    state.Phase = Phase.TopProperty;
                    checkpoint = Save(ref reader, state);
                    break;

                case Phase.ObjectEntryKey:
                    if (!reader.Read())
                    {
                        return Commit(ref reader, state, checkpoint, rewind: false);
                    }

                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        state.Phase = Phase.TopProperty;
                    }
                    else
                    {
                        state.Key = reader.GetString();
                        state.Phase = Phase.ObjectEntryValue;
                    }

                    checkpoint = Save(ref reader, state);
                    break;

                case Phase.ObjectEntryValue:
                    if (!TryValue(ref reader, buffer, state.Key, state.WantEntry is null || state.WantEntry(state.Key ?? string.Empty) ? onEntry : null))
                    {
                        return Commit(ref reader, state, checkpoint, rewind: true);
                    }

                    state.Phase = Phase.ObjectEntryKey;
                    checkpoint = Save(ref reader, state);
                    break;

                case Phase.ArrayEntries:
                    {
                        var probe = reader;
                        if (!probe.Read())
                        {
                            return Commit(ref reader, state, checkpoint, rewind: false);
                        }

                        if (probe.TokenType == JsonTokenType.EndArray)
                        {
                            reader = probe;
                            if (state.RootIsEntries)
                            {
                                state.Done = true;
                            }
                            else
                            {
                                state.Phase = Phase.TopProperty;
                            }

                            checkpoint = Save(ref reader, state);
                            break;
                        }

                        if (!TryValue(ref reader, buffer, null, onEntry))
                        {
                            return Commit(ref reader, state, checkpoint, rewind: true);
                        }

                        checkpoint = Save(ref reader, state);
                        break;
                    }
            }
        }

        return checkpoint;
    }

    /// <summary>Reads one complete value and hands it over; false (nothing consumed) when the buffer holds only part of it.</summary>
    private static bool TryValue(ref Utf8JsonReader reader, byte[] buffer, string? key, EntryHandler? handler)
    {
        var probe = reader;
        if (!probe.Read())
        {
            return false;
        }

        if (probe.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var skip = probe;
            if (!skip.TrySkip())
            {
                return false;
            }

            if (handler is not null)
            {
                // Parse the value where it lies in the buffer (no copy); the document is disposed before the buffer moves.
                var start = (int)probe.TokenStartIndex;
                using var entry = JsonDocument.Parse(buffer.AsMemory(start, (int)skip.BytesConsumed - start));
                handler(key, entry.RootElement);
            }

            reader = skip;
            return true;
        }
        else if (handler is null)
        {
            reader = probe;
            return true;
        }

        reader = probe;
        using var document = JsonDocument.ParseValue(ref reader);
        handler!(key, document.RootElement);
        return true;
    }

    private static int Save(ref Utf8JsonReader reader, ParseState state)
    {
        state.Reader = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private static int Commit(ref Utf8JsonReader reader, ParseState state, int checkpoint, bool rewind)
    {
        if (!rewind)
        {
            return Save(ref reader, state);
        }

        return checkpoint;
    }

    private enum Phase
    {
        Start,
        TopProperty,
        TopValue,
        ObjectEntryKey,
        ObjectEntryValue,
        ArrayEntries,
    }

    private sealed class ParseState
    {
        public string? Target { get; init; }

        public Func<string, bool>? WantEntry { get; init; }

        public Phase Phase { get; set; }

        public JsonReaderState Reader { get; set; }

        public string? Key { get; set; }

        public bool Done { get; set; }

        public bool RootIsEntries { get; set; }
    }
}
