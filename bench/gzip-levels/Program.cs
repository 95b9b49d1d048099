using System.Diagnostics;
using System.IO.Compression;

// Usage: bench/gzip-levels/run FILE
// Size and time of gzipping one /metrics body at zlib-ng's levels 1 to 6 (the runtime's GZipStream).
var body = File.ReadAllBytes(args[0]);
var output = new MemoryStream(body.Length);
const int Rounds = 2000;

Console.WriteLine($"{body.Length} bytes uncompressed; {Rounds} rounds per level, the best of three");
Console.WriteLine($"{"level",-28} {"bytes",8} {"µs per body",12}");
for (var level = 1; level <= 6; level++)
{
    var best = double.MaxValue;
    long size = 0;
    for (var attempt = 0; attempt < 3; attempt++)
    {
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < Rounds; round++)
        {
            output.SetLength(0);
            using (var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            {
                gzip.Write(body);
            }

            size = output.Length;
        }

        best = Math.Min(best, watch.Elapsed.TotalMicroseconds / Rounds);
    }

    var name = level switch
    {
        1 => "1 (CompressionLevel.Fastest)",
        6 => "6 (Go's DefaultCompression)",
        _ => level.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
    Console.WriteLine($"{name,-28} {size,8} {best,12:F1}");
}
