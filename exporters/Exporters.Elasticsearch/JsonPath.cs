using System.Globalization;
using System.Text.Json;

namespace Exporters.Elasticsearch;

/// <summary>Reads values by dotted path from a small JSON element, telling "absent" apart from "present in another shape".</summary>
internal static class JsonPath
{
    /// <summary>The element at <paramref name="path"/> (dot-separated member names), if every step exists.</summary>
    public static bool TryGet(JsonElement element, string path, out JsonElement value)
    {
        // Walks the segments as spans: this runs once per sample, so it must not allocate.
        value = element;
        var rest = path.AsSpan();
        while (true)
        {
            var dot = rest.IndexOf('.');
            var part = dot < 0 ? rest : rest[..dot];
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
            {
                value = default;
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            rest = rest[(dot + 1)..];
        }
    }

    /// <summary>
    /// The number at <paramref name="path"/>. Booleans read as 1/0 and numeric strings as numbers. Returns
    /// <see cref="Lookup.Absent"/> when the path is missing or null and <see cref="Lookup.WrongShape"/> when the
    /// value is something else (an object where a number was, say).
    /// </summary>
    public static Lookup TryNumber(JsonElement element, string path, out double number)
    {
        number = 0;
        if (!TryGet(element, path, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return Lookup.Absent;
        }

        return AsNumber(value, out number) ? Lookup.Found : Lookup.WrongShape;
    }

    /// <summary>Converts a number, boolean or numeric string.</summary>
    public static bool AsNumber(JsonElement value, out double number)
    {
        number = 0;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out number);
            case JsonValueKind.True:
                number = 1;
                return true;
            case JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                return double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            default:
                return false;
        }
    }

    /// <summary>The string at <paramref name="path"/>, or null.</summary>
    public static string? String(JsonElement element, string path) =>
        TryGet(element, path, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        } : null;
}

/// <summary>The outcome of a numeric lookup.</summary>
internal enum Lookup
{
    /// <summary>The value was there and numeric.</summary>
    Found,

    /// <summary>The field is not in this version's response.</summary>
    Absent,

    /// <summary>The field is there with a shape the collector does not know.</summary>
    WrongShape,
}
