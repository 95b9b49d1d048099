using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions.Configuration;

/// <summary>
/// Binds configuration onto options classes through their generated binders (<see cref="IGeneratedOptions"/>), and
/// the reading rules that generated code follows: every unknown key and every value that does not convert is
/// reported with its key in the user's own spelling (<c>tls.ca_file</c>, <c>probe_targets.0.address</c>).
/// </summary>
public static class OptionsBinding
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="options"/>, the way the host does.</summary>
    /// <param name="options">Options whose class is <see langword="partial"/> (so its binder was generated).</param>
    /// <param name="section">The instance's configuration section.</param>
    /// <param name="errors">Where problems go; keys are relative to <paramref name="section"/>.</param>
    public static void Bind(CollectorOptions options, IConfiguration section, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        if (options is IGeneratedOptions generated)
        {
            generated.Bind(section, string.Empty, errors);
        }
        else
        {
            errors.Add("(options)", $"{options.GetType().FullName} has no generated configuration binder: declare the class partial and reference Exporters.Abstractions, whose source generator writes it");
        }
    }

    /// <summary>The values of every <see cref="SecretAttribute"/> property of <paramref name="options"/>, nested ones included.</summary>
    /// <param name="options">Bound options.</param>
    /// <returns>The non-empty secret values.</returns>
    public static IReadOnlyList<string> SecretValues(CollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secrets = new List<string>();
        (options as IGeneratedOptions)?.AddSecrets(secrets);
        return secrets;
    }

    /// <summary>The dotted key of <paramref name="key"/> under <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The parent's dotted key, or empty.</param>
    /// <param name="key">The key.</param>
    /// <returns>The dotted key.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static string Path(string prefix, string key) => string.IsNullOrEmpty(prefix) ? key : $"{prefix}.{key}";

    /// <summary>Reports every child of <paramref name="section"/> whose key is not one of <paramref name="known"/>.</summary>
    /// <param name="section">The section.</param>
    /// <param name="prefix">Its dotted key.</param>
    /// <param name="known">The keys its class binds.</param>
    /// <param name="errors">Where problems go.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void CheckKeys(IConfiguration section, string prefix, string[] known, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(Path(prefix, child.Key), $"unknown key; valid keys here are: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    /// <summary>Reads a text value.</summary>
    /// <param name="section">The key's section.</param>
    /// <param name="path">The dotted key, for messages.</param>
    /// <param name="errors">Where problems go.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether a value was given and read.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadString(IConfigurationSection section, string path, OptionErrors errors, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!TryScalar(section, path, errors, out var text))
        {
            return false;
        }

        value = text;
        return true;
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadBoolean(IConfigurationSection section, string path, OptionErrors errors, out bool value) =>
        Convert(section, path, errors, out value, static (string text, out bool result) => bool.TryParse(text, out result), "is not true or false");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadByte(IConfigurationSection section, string path, OptionErrors errors, out byte value) =>
        Convert(section, path, errors, out value, static (string text, out byte result) => byte.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), $"is not a whole number from 0 to {byte.MaxValue}");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadInt16(IConfigurationSection section, string path, OptionErrors errors, out short value) =>
        Convert(section, path, errors, out value, static (string text, out short result) => short.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), $"is not a whole number from {short.MinValue} to {short.MaxValue}");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadUInt16(IConfigurationSection section, string path, OptionErrors errors, out ushort value) =>
        Convert(section, path, errors, out value, static (string text, out ushort result) => ushort.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), $"is not a whole number from 0 to {ushort.MaxValue}");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadInt32(IConfigurationSection section, string path, OptionErrors errors, out int value) =>
        Convert(section, path, errors, out value, static (string text, out int result) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), $"is not a whole number from {int.MinValue} to {int.MaxValue}");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadUInt32(IConfigurationSection section, string path, OptionErrors errors, out uint value) =>
        Convert(section, path, errors, out value, static (string text, out uint result) => uint.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), $"is not a whole number from 0 to {uint.MaxValue}");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadInt64(IConfigurationSection section, string path, OptionErrors errors, out long value) =>
        Convert(section, path, errors, out value, static (string text, out long result) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), "is not a whole number");

    /// <summary>Reads a whole number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadUInt64(IConfigurationSection section, string path, OptionErrors errors, out ulong value) =>
        Convert(section, path, errors, out value, static (string text, out ulong result) => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out result), "is not a whole number, 0 or more");

    /// <summary>Reads a number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadSingle(IConfigurationSection section, string path, OptionErrors errors, out float value) =>
        Convert(section, path, errors, out value, static (string text, out float result) => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result), "is not a number");

    /// <summary>Reads a number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadDouble(IConfigurationSection section, string path, OptionErrors errors, out double value) =>
        Convert(section, path, errors, out value, static (string text, out double result) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result), "is not a number");

    /// <summary>Reads a number.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadDecimal(IConfigurationSection section, string path, OptionErrors errors, out decimal value) =>
        Convert(section, path, errors, out value, static (string text, out decimal result) => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out result), "is not a number");

    /// <summary>Reads a <see cref="Duration"/> such as <c>5s</c>.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadDuration(IConfigurationSection section, string path, OptionErrors errors, out Duration value) =>
        Convert(section, path, errors, out value, static (string text, out Duration result) => Duration.TryParse(text, out result), "is not a duration: write it like 500ms, 5s, 1m30s, 2h or 0");

    /// <summary>Reads a <see cref="TimeSpan"/> (<c>hh:mm:ss</c>, or a duration such as <c>5s</c>).</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadTimeSpan(IConfigurationSection section, string path, OptionErrors errors, out TimeSpan value) =>
        Convert(
            section,
            path,
            errors,
            out value,
            static (string text, out TimeSpan result) =>
            {
                if (Duration.TryParse(text, out var duration))
                {
                    result = duration.Value;
                    return true;
                }

                return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out result);
            },
            "is not a duration: write it like 500ms, 5s, 1m30s or 00:01:30");

    /// <summary>Reads a URI.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadUri(IConfigurationSection section, string path, OptionErrors errors, [NotNullWhen(true)] out Uri? value) =>
        Convert(section, path, errors, out value, static (string text, out Uri? result) => Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out result), "is not a URI");

    /// <summary>Reads one of an enum's names, ignoring case.</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadEnum<TEnum>(IConfigurationSection section, string path, OptionErrors errors, out TEnum value)
        where TEnum : struct, Enum =>
        Convert(
            section,
            path,
            errors,
            out value,
            static (string text, out TEnum result) => Enum.TryParse(text, ignoreCase: true, out result) && Enum.IsDefined(result) && !char.IsAsciiDigit(text.TrimStart('-')[0]),
            $"is not one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}");

    /// <summary>
    /// Reads a list of text values: a YAML list, or one comma-separated value as a command-line flag or an environment
    /// variable gives it (<c>--script=a.lua,b.lua</c>).
    /// </summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadStringList(IConfigurationSection section, string path, OptionErrors errors, out List<string> value)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        value = [];
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (section.Value is null)
            {
                return false;
            }

            value.AddRange(section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return true;
        }

        if (!IsIndexed(children))
        {
            errors.Add(path, "expects a list, not a map");
            return false;
        }

        var ok = true;
        foreach (var item in Sorted(children))
        {
            if (TryScalar(item, Path(path, item.Key), errors, out var text))
            {
                value.Add(text);
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Reads a map of text values.</summary>
    /// <inheritdoc cref="TryReadString"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool TryReadStringMap(IConfigurationSection section, string path, OptionErrors errors, out Dictionary<string, string> value)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        value = new Dictionary<string, string>(StringComparer.Ordinal);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (string.IsNullOrEmpty(section.Value))
            {
                return section.Value is not null;
            }

            errors.Add(path, "expects a map, not a single value");
            return false;
        }

        var ok = true;
        foreach (var child in children)
        {
            if (TryScalar(child, Path(path, child.Key), errors, out var text))
            {
                value[child.Key] = text;
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Whether <paramref name="section"/> holds keys to bind onto a nested object; a single value is an error.</summary>
    /// <param name="section">The key's section.</param>
    /// <param name="path">The dotted key, for messages.</param>
    /// <param name="errors">Where problems go.</param>
    /// <returns>True when there are keys to bind.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool IsMap(IConfigurationSection section, string path, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        if (section.GetChildren().Any())
        {
            return true;
        }

        if (!string.IsNullOrEmpty(section.Value))
        {
            errors.Add(path, "expects a map, not a single value");
        }

        return false;
    }

    /// <summary>Whether <paramref name="section"/> holds a list of objects to bind; a single value or a map is an error.</summary>
    /// <inheritdoc cref="IsMap"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool IsList(IConfigurationSection section, string path, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (!string.IsNullOrEmpty(section.Value))
            {
                errors.Add(path, "expects a list, not a single value");
            }

            // An empty list given on purpose ("key: []") clears the default.
            return section.Value is not null;
        }

        if (!IsIndexed(children))
        {
            errors.Add(path, "expects a list, not a map");
            return false;
        }

        return true;
    }

    /// <summary>The items of a list section, in list order.</summary>
    /// <param name="section">The list's section.</param>
    /// <returns>The items.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static IEnumerable<IConfigurationSection> Items(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Sorted(section.GetChildren());
    }

    /// <summary>Adds <paramref name="items"/> to the map an options object already holds, keeping its comparer and other entries.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="target">The map.</param>
    /// <param name="items">The values read.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Merge<T>(IDictionary<string, T> target, Dictionary<string, T> items)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(items);
        foreach (var (key, value) in items)
        {
            target[key] = value;
        }
    }

    /// <summary>Replaces the contents of a read-only collection property.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="target">The collection.</param>
    /// <param name="items">The items read.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Replace<T>(ICollection<T>? target, List<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (target is null)
        {
            return;
        }

        target.Clear();
        foreach (var item in items)
        {
            target.Add(item);
        }
    }

    /// <summary>Adds a secret value when it is not empty.</summary>
    /// <param name="secrets">The secrets.</param>
    /// <param name="value">The value.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void AddSecret(ICollection<string> secrets, string? value)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (!string.IsNullOrEmpty(value))
        {
            secrets.Add(value);
        }
    }

    private delegate bool Parser<T>(string text, out T result);

    private static bool Convert<T>(IConfigurationSection section, string path, OptionErrors errors, out T value, Parser<T> parse, string problem)
    {
        value = default!;
        if (!TryScalar(section, path, errors, out var text) || text.Trim() is not { Length: > 0 } trimmed)
        {
            // An empty value ("timeout:" in YAML) keeps the default.
            return false;
        }

        if (parse(trimmed, out value))
        {
            return true;
        }

        errors.Add(path, $"'{text}' {problem}");
        return false;
    }

    private static bool TryScalar(IConfigurationSection section, string path, OptionErrors errors, out string text)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(errors);
        text = string.Empty;
        if (section.GetChildren().Any())
        {
            errors.Add(path, "expects a single value, not a map or list");
            return false;
        }

        if (section.Value is null)
        {
            return false;
        }

        text = section.Value;
        return true;
    }

    private static bool IsIndexed(IEnumerable<IConfigurationSection> children) =>
        children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));

    private static IEnumerable<IConfigurationSection> Sorted(IEnumerable<IConfigurationSection> children) =>
        children.OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue).ThenBy(c => c.Key, StringComparer.Ordinal);
}
