using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Exporters.Hosting.Web;

/// <summary>
/// A write-only stream that gzips what is written to it into another stream, with a deflate state kept from one
/// response to the next.
/// </summary>
/// <remarks>
/// <para><see cref="GZipStream"/> allocates its zlib-ng state (about 350 KB) with <c>malloc</c> for every response and
/// frees it at the end; glibc keeps what is freed in the arena of the thread that allocated it, so a day of scrapes on
/// thread-pool threads leaves about 2 MB resident per arena: 9 MB of a Redis sidecar's 35 MB, against under 1 MB
/// uncompressed (docs/performance.md, "Compression").</para>
/// <para>Here a few states are kept and reused. Each response is one gzip member (RFC 1952): a fixed header, raw
/// deflate blocks ended by a full flush, which empties the compressor's history so that the next response cannot
/// refer back to this one, an empty final block, and the CRC-32 and length of the uncompressed bytes. The zlib-ng
/// functions are the runtime's own (<c>libSystem.IO.Compression.Native</c>, linked into a Native AOT binary); if they
/// cannot be found, <see cref="Create"/> returns a <see cref="GZipStream"/> instead.</para>
/// </remarks>
internal sealed partial class GzipResponseStream : Stream
{
    // zlib-ng level 2: a Redis scrape's 39 KB gzips to 7.1 KB instead of 8.8 KB at level 1 (CompressionLevel.Fastest)
    // for 10–20 µs more; level 6 (Go's gzip.DefaultCompression) reaches 6.4 KB for five times the CPU of level 1.
    private const int Level = 2;
    private const int BufferSize = 16 * 1024;
    private const int KeptStates = 4;

    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown), as Go's compress/gzip writes it.
    private static ReadOnlySpan<byte> Header => [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff];

    // A final block with fixed codes holding only the end-of-block code: BFINAL=1, BTYPE=01, then seven zero bits.
    private static ReadOnlySpan<byte> EmptyFinalBlock => [0x03, 0x00];

    private static readonly ZLibCompressionOptions FallbackOptions = new() { CompressionLevel = Level };
    private static readonly ConcurrentQueue<DeflateState> Kept = new();
    private static int _nativeUnavailable;

    private readonly Stream _output;
    private readonly DeflateState _state;
    private readonly byte[] _buffer;
    private int _buffered;
    private uint _crc;
    private uint _length;
    private bool _finished;

    private GzipResponseStream(Stream output, DeflateState state)
    {
        _output = output;
        _state = state;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        Header.CopyTo(_buffer);
        _buffered = Header.Length;
    }

    /// <summary>Creates a stream that gzips into <paramref name="output"/>, which it leaves open.</summary>
    /// <param name="output">Where the compressed bytes go.</param>
    /// <returns>The stream. A <see cref="GzipResponseStream"/> needs <see cref="FinishAsync"/> to write the end of the
    /// gzip member before it is disposed; the <see cref="GZipStream"/> fallback writes it when disposed.</returns>
    public static Stream Create(Stream output)
    {
        if (Volatile.Read(ref _nativeUnavailable) == 0)
        {
            if (Kept.TryDequeue(out var state))
            {
                return new GzipResponseStream(output, state);
            }

            try
            {
                return new GzipResponseStream(output, new DeflateState());
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                Volatile.Write(ref _nativeUnavailable, 1);
            }
        }

        return new GZipStream(output, FallbackOptions, leaveOpen: true);
    }

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => !_finished;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        Account(buffer);
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Compress(buffer, DeflateState.NoFlush)..];
            if (_buffered == _buffer.Length)
            {
                _output.Write(_buffer, 0, _buffered);
                _buffered = 0;
            }
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        Account(buffer.Span);
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Compress(buffer.Span, DeflateState.NoFlush)..];
            if (_buffered == _buffer.Length)
            {
                await _output.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
                _buffered = 0;
            }
        }
    }

    /// <summary>Compressed bytes stay buffered until the buffer fills or the member ends: a flush per write would cost
    /// both size and CPU.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes the end of the gzip member: what the compressor still holds, the empty final block, the
    /// CRC-32 and the length.</summary>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task.</returns>
    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        // The flush is complete when the compressor leaves output space unused.
        while (true)
        {
            _ = Compress([], DeflateState.FullFlush);
            if (_buffered < _buffer.Length)
            {
                break;
            }

            await _output.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
            _buffered = 0;
        }

        if (_buffer.Length - _buffered < EmptyFinalBlock.Length + 8)
        {
            await _output.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
            _buffered = 0;
        }

        EmptyFinalBlock.CopyTo(_buffer.AsSpan(_buffered));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_buffered + 2), _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_buffered + 6), _length);
        _buffered += 10;
        await _output.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
        _buffered = 0;
        Release(reusable: true);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Disposed before FinishAsync, the member is cut short (the request failed or was aborted) and the state is
        // left mid-stream: it is freed, not reused.
        Release(reusable: false);
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Account(ReadOnlySpan<byte> uncompressed)
    {
        _crc = DeflateState.Crc32(_crc, uncompressed);
        _length = unchecked(_length + (uint)uncompressed.Length);
    }

    private int Compress(ReadOnlySpan<byte> input, int flush)
    {
        var (consumed, produced) = _state.Deflate(input, _buffer.AsSpan(_buffered), flush);
        _buffered += produced;
        return consumed;
    }

    private void Release(bool reusable)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        if (reusable && Kept.Count < KeptStates)
        {
            Kept.Enqueue(_state);
        }
        else
        {
            _state.Dispose();
        }
    }

    /// <summary>One zlib-ng raw deflate stream, through the runtime's native compression library.</summary>
    private sealed unsafe partial class DeflateState : IDisposable
    {
        public const int NoFlush = 0;
        public const int FullFlush = 3;

        private const string Library = "libSystem.IO.Compression.Native";
        private const int Deflated = 8;
        private const int RawDeflateWindowBits = -15;
        private const int DefaultMemoryLevel = 8;
        private const int DefaultStrategy = 0;
        private const int Ok = 0;
        private const int BufferError = -5;

        private readonly ZStream* _stream;
        private int _freed;

        public DeflateState()
        {
            _stream = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
            // Stays unset if the library cannot be loaded (the caller then falls back to GZipStream).
            var result = int.MinValue;
            try
            {
                result = DeflateInit2(_stream, Level, Deflated, RawDeflateWindowBits, DefaultMemoryLevel, DefaultStrategy);
            }
            finally
            {
                if (result != Ok)
                {
                    _freed = 1;
                    NativeMemory.Free(_stream);
                    GC.SuppressFinalize(this);
                }
            }

            if (result != Ok)
            {
                throw new IOException($"the gzip compressor could not start (zlib error {result})");
            }
        }

        ~DeflateState() => Free();

        public static uint Crc32(uint crc, ReadOnlySpan<byte> data)
        {
            fixed (byte* bytes = data)
            {
                return NativeCrc32(crc, bytes, data.Length);
            }
        }

        /// <summary>Compresses from <paramref name="input"/> into <paramref name="output"/> until either is used up.</summary>
        public (int Consumed, int Produced) Deflate(ReadOnlySpan<byte> input, Span<byte> output, int flush)
        {
            fixed (byte* inputBytes = input)
            fixed (byte* outputBytes = output)
            {
                _stream->NextIn = inputBytes;
                _stream->AvailIn = (uint)input.Length;
                _stream->NextOut = outputBytes;
                _stream->AvailOut = (uint)output.Length;
                var result = NativeDeflate(_stream, flush);
                var consumed = input.Length - (int)_stream->AvailIn;
                var produced = output.Length - (int)_stream->AvailOut;
                _stream->NextIn = null;
                _stream->NextOut = null;
                // Z_BUF_ERROR only says no progress was possible (nothing left to flush): not a failure.
                if (result != Ok && result != BufferError)
                {
                    throw new IOException($"gzip compression failed (zlib error {result})");
                }

                return (consumed, produced);
            }
        }

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private void Free()
        {
            if (Interlocked.Exchange(ref _freed, 1) == 0)
            {
                _ = DeflateEnd(_stream);
                NativeMemory.Free(_stream);
            }
        }

        // The runtime's PAL_ZStream (src/native/libs/System.IO.Compression.Native/pal_zlib.h).
        [StructLayout(LayoutKind.Sequential)]
        private struct ZStream
        {
            public byte* NextIn;
            public byte* NextOut;
            public byte* Message;
            public void* InternalState;
            public uint AvailIn;
            public uint AvailOut;
        }

        [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateInit2_")]
        private static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memoryLevel, int strategy);

        [LibraryImport(Library, EntryPoint = "CompressionNative_Deflate")]
        private static partial int NativeDeflate(ZStream* stream, int flush);

        [LibraryImport(Library, EntryPoint = "CompressionNative_DeflateEnd")]
        private static partial int DeflateEnd(ZStream* stream);

        [LibraryImport(Library, EntryPoint = "CompressionNative_Crc32")]
        private static partial uint NativeCrc32(uint crc, byte* buffer, int length);
    }
}
