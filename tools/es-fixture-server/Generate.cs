using System.Text.Json;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Writes synthetic large responses from the shapes of the captured ones: <c>/_all/_stats</c> with many indices and
/// <c>/_cat/shards</c> with many rows, for the benchmark.
/// </summary>
internal static class Generate
{
    public static async Task<int> RunAsync(string fixtures, string output, int indices, int shards)
    {
        Directory.CreateDirectory(output);
        using var stats = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixtures, "indices", "7.17.3.json")));
        var template = stats.RootElement.GetProperty("indices").EnumerateObject().First(p => !p.Name.StartsWith('.')).Value;
        var statsPath = Path.Combine(output, "all_stats.json");
        await using (var file = File.Create(statsPath))
        {
            await using var writer = new Utf8JsonWriter(file);
            writer.WriteStartObject();
            writer.WritePropertyName("_shards");
            stats.RootElement.GetProperty("_shards").WriteTo(writer);
            writer.WritePropertyName("_all");
            stats.RootElement.GetProperty("_all").WriteTo(writer);
            writer.WriteStartObject("indices");
            for (var i = 0; i < indices; i++)
            {
                writer.WritePropertyName($"bench-index-{i:D5}");
                WriteVaried(writer, template, i);
                if (writer.BytesPending > 1 << 20)
                {
                    await writer.FlushAsync();
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var cat = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixtures, "shards", "7.15.0.json")));
        var row = cat.RootElement.EnumerateArray().First(r => r.GetProperty("state").GetString() == "STARTED");
        var shardsPath = Path.Combine(output, "cat_shards.json");
        await using (var file = File.Create(shardsPath))
        {
            await using var writer = new Utf8JsonWriter(file);
            writer.WriteStartArray();
            for (var i = 0; i < shards; i++)
            {
                writer.WriteStartObject();
                foreach (var property in row.EnumerateObject())
                {
                    var value = property.Name switch
                    {
                        "index" => $"bench-index-{i % Math.Max(1, indices):D5}",
                        "shard" => (i / Math.Max(1, indices)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        "prirep" => i % 2 == 0 ? "p" : "r",
                        "node" => $"node-{i % 20:D2}",
                        _ => property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null,
                    };
                    writer.WriteString(property.Name, value);
                }

                writer.WriteEndObject();
                if (writer.BytesPending > 1 << 20)
                {
                    await writer.FlushAsync();
                }
            }

            writer.WriteEndArray();
        }

        Console.WriteLine($"{statsPath} {new FileInfo(statsPath).Length / (1024 * 1024)} MB ({indices} indices)");
        Console.WriteLine($"{shardsPath} {new FileInfo(shardsPath).Length / (1024 * 1024)} MB ({shards} shards)");
        return 0;
    }

    /// <summary>Copies the template, changing integer values per index so that every index has its own numbers.</summary>
    private static void WriteVaried(Utf8JsonWriter writer, JsonElement element, int seed)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteVaried(writer, property.Value, seed);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteVaried(writer, item, seed);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var n) && n > 0:
                writer.WriteNumberValue(n + seed);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
