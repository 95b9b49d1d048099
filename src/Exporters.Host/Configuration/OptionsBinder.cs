using System.Collections;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.RegularExpressions;
using Exporters.Abstractions;

namespace Exporters.Host.Configuration;

/// <summary>
/// Binds a configuration section onto an options object, reporting every unknown key and every value that does not
/// convert as an error that names the key in the user's own spelling (<c>collectors.redis.timeout</c>).
/// </summary>
public static partial class OptionsBinder
{
    private const DynamicallyAccessedMemberTypes Members = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    /// <summary>Creates an options object of <paramref name="optionsType"/> from <paramref name="section"/>.</summary>
    /// <param name="section">The section to bind.</param>
    /// <param name="optionsType">The options type.</param>
    /// <param name="errors">Where problems go; keys are relative to <paramref name="section"/>.</param>
    /// <returns>The bound options (partly bound when there are errors).</returns>
    public static object Bind(IConfigurationSection section, [DynamicallyAccessedMembers(Members)] Type optionsType, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(errors);
        var options = Activator.CreateInstance(optionsType)!;
        CheckKeys(section, optionsType, string.Empty, errors);
        if (errors.HasErrors)
        {
            return options;
        }

        try
        {
            BindUnchecked(section, options);
            BindCommaSeparatedLists(section, options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(KeyOf(e, section.Path), Describe(e));
        }

        return options;
    }

    /// <summary>Converts a configuration path (<c>a:b:c</c>) to the dotted form users read in YAML (<c>a.b.c</c>).</summary>
    /// <param name="path">The configuration path.</param>
    /// <returns>The dotted key.</returns>
    public static string Display(string path) => path.Replace(':', '.');

    /// <summary>The values of every <see cref="SecretAttribute"/> property of <paramref name="options"/>, nested ones included.</summary>
    /// <param name="options">An options object.</param>
    /// <returns>The non-empty secret values.</returns>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Options types keep their public properties through DynamicallyAccessedMembers on CollectorDefinition.OptionsType.")]
    public static IEnumerable<string> SecretValues(object? options)
    {
        if (options is null || IsScalar(options.GetType()))
        {
            yield break;
        }

        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
            {
                continue;
            }

            var value = property.GetValue(options);
            if (property.GetCustomAttribute<SecretAttribute>() is not null)
            {
                if (value is string { Length: > 0 } secret)
                {
                    yield return secret;
                }

                continue;
            }

            if (value is not null && value is not string && !IsScalar(property.PropertyType))
            {
                var nested = value is IDictionary dictionary ? dictionary.Values.Cast<object?>() : value is IEnumerable list ? list.Cast<object?>() : [value];
                foreach (var item in nested)
                {
                    foreach (var s in SecretValues(item))
                    {
                        yield return s;
                    }
                }
            }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Options types keep their public properties through DynamicallyAccessedMembers on CollectorDefinition.OptionsType.")]
    private static void BindUnchecked(IConfigurationSection section, object options) => section.Bind(options);

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Options types keep their public properties through DynamicallyAccessedMembers on CollectorDefinition.OptionsType.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Nested option types are reachable from the rooted options type's public properties.")]
    private static void CheckKeys(IConfigurationSection section, Type type, string prefix, OptionErrors errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || (!IsScalar(p.PropertyType) && p.CanRead))
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var child in section.GetChildren())
        {
            var key = prefix.Length == 0 ? child.Key : $"{prefix}.{child.Key}";
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var valid = string.Join(", ", properties.Keys.Order(StringComparer.Ordinal));
                errors.Add(key, $"unknown key; valid keys here are: {valid}");
                continue;
            }

            CheckValue(child, property.PropertyType, key, errors);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Nested option types are reachable from the rooted options type's public properties.")]
    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = "Nested option types are reachable from the rooted options type's public properties.")]
    private static void CheckValue(IConfigurationSection value, Type type, string key, OptionErrors errors)
    {
        var hasChildren = value.GetChildren().Any();
        if (IsScalar(type))
        {
            if (hasChildren)
            {
                errors.Add(key, "expects a single value, not a map or list");
            }

            return;
        }

        if (!hasChildren)
        {
            if (!string.IsNullOrEmpty(value.Value) && !IsStringList(type))
            {
                errors.Add(key, "expects a map or a list, not a single value");
            }

            return;
        }

        var element = ElementType(type);
        if (element is not null)
        {
            foreach (var item in value.GetChildren())
            {
                CheckValue(item, element, $"{key}.{item.Key}", errors);
            }

            return;
        }

        CheckKeys(value, type, key, errors);
    }

    /// <summary>
    /// A list of strings also takes one comma-separated value, the form a command-line flag or an environment
    /// variable gives (<c>--script=a.lua,b.lua</c>); the framework's binder would leave the list empty.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Options types keep their public properties through DynamicallyAccessedMembers on CollectorDefinition.OptionsType.")]
    private static void BindCommaSeparatedLists(IConfigurationSection section, object options)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
            {
                continue;
            }

            var child = section.GetSection(property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name);
            if (IsStringList(property.PropertyType))
            {
                if (!string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
                {
                    var items = child.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (property.PropertyType.IsArray)
                    {
                        property.SetValue(options, items);
                    }
                    else if (property.GetValue(options) is List<string> list)
                    {
                        list.Clear();
                        list.AddRange(items);
                    }
                }
            }
            else if (!IsScalar(property.PropertyType) && ElementType(property.PropertyType) is null && child.GetChildren().Any()
                && property.GetValue(options) is { } nested)
            {
                BindCommaSeparatedLists(child, nested);
            }
        }
    }

    private static bool IsStringList(Type type) => type == typeof(string[]) || type == typeof(List<string>);

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        var definition = type.GetGenericTypeDefinition();
        if (arguments.Length == 2 && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
        {
            return arguments[1];
        }

        return arguments.Length == 1 && typeof(IEnumerable).IsAssignableFrom(type) ? arguments[0] : null;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "TypeConverter lookup on option property types that are rooted.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "TypeConverter lookup on option property types that are rooted.")]
    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(Uri) || type == typeof(Duration) || type == typeof(DateTimeOffset) || type == typeof(DateTime)
            || (type.GetCustomAttribute<TypeConverterAttribute>() is not null);
    }

    private static string KeyOf(Exception e, string sectionPath)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            var match = PathPattern().Match(current.Message);
            if (match.Success)
            {
                var path = match.Groups[1].Value;
                return path.StartsWith(sectionPath + ":", StringComparison.OrdinalIgnoreCase) ? Display(path[(sectionPath.Length + 1)..]) : Display(path);
            }
        }

        return "(section)";
    }

    private static string Describe(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost is FormatException or OverflowException or ArgumentException
            ? innermost.Message
            : $"invalid value ({innermost.Message})";
    }

    [GeneratedRegex(" at '([^']+)'")]
    private static partial Regex PathPattern();
}
