using System.IO.Compression;
using System.Text;
using Exporters.Hosting.Web;

namespace Exporters.Hosting.Tests;

public class GzipResponseStreamTests
{
    [Fact]
    public async Task Each_response_decodes_on_its_own_though_the_compressor_is_reused()
    {
        // The same text twice in a row: had the compressor kept its history, the second member would refer back into
        // the first and fail to decode alone (zlib's inflate also checks the CRC-32 and length of the trailer).
        var text = MetricsText(families: 300);
        await using (var probe = GzipResponseStream.Create(new MemoryStream()))
        {
            Assert.IsType<GzipResponseStream>(probe);
        }

        var first = await CompressAsync(text);
        var second = await CompressAsync(text);

        Assert.Equal(text, Decompress(first));
        Assert.Equal(text, Decompress(second));
        Assert.True(second.Length < text.Length / 4, $"{second.Length} bytes for {text.Length}");
        Assert.Equal([0x1f, 0x8b, 0x08], second[..3]);
    }

    [Fact]
    public async Task A_body_larger_than_the_buffers_written_in_small_and_large_pieces_decodes_whole()
    {
        var text = MetricsText(families: 40_000);
        var output = new MemoryStream();
        var gzip = GzipResponseStream.Create(output);
        var offset = 0;
        var random = new Random(7);
        while (offset < text.Length)
        {
            var count = Math.Min(text.Length - offset, random.Next(1, 3) == 1 ? random.Next(1, 64) : random.Next(1, 200_000));
            await gzip.WriteAsync(text.AsMemory(offset, count));
            offset += count;
        }

        await FinishAsync(gzip);
        Assert.True(text.Length > 1_000_000);
        Assert.Equal(text, Decompress(output.ToArray()));
    }

    [Fact]
    public async Task An_empty_body_is_a_valid_gzip_member()
    {
        var compressed = await CompressAsync([]);

        Assert.Empty(Decompress(compressed));
    }

    [Fact]
    public async Task Concurrent_responses_each_decode_to_their_own_text()
    {
        var texts = Enumerable.Range(0, 16).Select(i => MetricsText(families: 200 + (i * 37), seed: i)).ToArray();

        var compressed = await Task.WhenAll(texts.Select(text => Task.Run(() => CompressAsync(text))));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(texts[i], Decompress(compressed[i]));
        }
    }

    [Fact]
    public async Task A_response_cut_short_leaves_no_state_behind_for_the_next()
    {
        var text = MetricsText(families: 500);
        for (var i = 0; i < 8; i++)
        {
            // The client went away mid-body: the stream is disposed without its end.
            var aborted = GzipResponseStream.Create(new MemoryStream());
            await aborted.WriteAsync(text.AsMemory(0, text.Length / 2));
            aborted.Dispose();
        }

        Assert.Equal(text, Decompress(await CompressAsync(text)));
    }

    [Fact]
    public async Task The_gzip_tool_finds_the_member_intact()
    {
        var text = MetricsText(families: 2_000);
        var path = Path.Combine(Path.GetTempPath(), $"exporters-gzip-{Guid.NewGuid():N}.gz");
        try
        {
            await File.WriteAllBytesAsync(path, await CompressAsync(text));
            using var gzip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("gzip", ["-t", "-v", path])
            {
                RedirectStandardError = true,
            })!;
            var report = await gzip.StandardError.ReadToEndAsync();
            await gzip.WaitForExitAsync();
            Assert.True(gzip.ExitCode == 0, report);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<byte[]> CompressAsync(byte[] text)
    {
        var output = new MemoryStream();
        var gzip = GzipResponseStream.Create(output);
        await gzip.WriteAsync(text);
        await FinishAsync(gzip);
        return output.ToArray();
    }

    private static async Task FinishAsync(Stream gzip)
    {
        if (gzip is GzipResponseStream reused)
        {
            await reused.FinishAsync();
        }

        await gzip.DisposeAsync();
    }

    private static byte[] Decompress(byte[] compressed)
    {
        using var unzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var output = new MemoryStream();
        unzip.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] MetricsText(int families, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (var i = 0; i < families; i++)
        {
            text.Append("# HELP redis_family_").Append(i).Append(" Redis INFO field number ").Append(i).Append(".\n");
            text.Append("# TYPE redis_family_").Append(i).Append(" gauge\n");
            text.Append("redis_family_").Append(i).Append("{db=\"db").Append(i % 16).Append("\"} ").Append(random.Next()).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
