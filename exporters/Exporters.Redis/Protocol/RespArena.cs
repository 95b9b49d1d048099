using System.Buffers;

namespace Exporters.Redis.Protocol;

/// <summary>
/// Holds the payloads of the bulk strings of one batch of replies in a few large arrays rather than one string or
/// array each. The arrays are ordinary garbage-collected memory, so a reply may outlive the batch safely.
/// </summary>
internal sealed class RespArena
{
    private const int MinChunk = 256;
    private const int MaxChunk = 1024 * 1024;

    private readonly List<byte[]> _chunks = [];
    private int _chunk;
    private int _offset;

    /// <summary>Where the next copy goes; <see cref="Rewind"/> returns here.</summary>
    public (int Chunk, int Offset) Mark() => (_chunk, _offset);

    /// <summary>
    /// Forgets what was copied since <paramref name="mark"/>: the parse that copied it is retried once more bytes have
    /// arrived, so without this a large reply received in many reads would be copied again for every read.
    /// </summary>
    public void Rewind((int Chunk, int Offset) mark) => (_chunk, _offset) = mark;

    /// <summary>
    /// Copies <paramref name="payload"/>. A new chunk is sized to hold <paramref name="unread"/> more bytes as well
    /// (what has been received after the payload), so a batch read at once needs one chunk.
    /// </summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySequence<byte> payload, long unread)
    {
        var length = checked((int)payload.Length);
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        while (_chunk < _chunks.Count && _chunks[_chunk].Length - _offset < length)
        {
            // Chunks kept after a rewind are reused; one too small for this payload is skipped, not split.
            _chunk++;
            _offset = 0;
        }

        if (_chunk == _chunks.Count)
        {
            // The bytes already received are a good guess of what else this batch will copy.
            var size = Math.Max(length, (int)Math.Clamp(length + unread, MinChunk, MaxChunk));
            _chunks.Add(new byte[size]);
            _offset = 0;
        }

        var target = _chunks[_chunk].AsMemory(_offset, length);
        payload.CopyTo(target.Span);
        _offset += length;
        return target;
    }
}
