using Exporters.Abstractions;

namespace Exporters.Hosting.Collectors;

/// <summary>The collector definitions known to this process, by name: built-in ones and those loaded from plugins.</summary>
internal sealed class CollectorRegistry
{
    private readonly Dictionary<string, CollectorDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _origins = new(StringComparer.Ordinal);

    /// <summary>The definitions, sorted by name.</summary>
    public IEnumerable<CollectorDefinition> Definitions => _definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal);

    /// <summary>Registers a definition.</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="origin">Where it came from (<c>built-in</c> or a plugin path), for messages.</param>
    /// <exception cref="InvalidOperationException">The name is invalid or already taken.</exception>
    public void Add(CollectorDefinition definition, string origin)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!IsValidName(definition.Name))
        {
            throw new InvalidOperationException($"collector from {origin} has an invalid name '{definition.Name}': use lowercase letters, digits and underscores");
        }

        if (!_definitions.TryAdd(definition.Name, definition))
        {
            throw new InvalidOperationException($"collector '{definition.Name}' from {origin} is already registered by {_origins[definition.Name]}");
        }

        _origins[definition.Name] = origin;
    }

    /// <summary>Finds a definition by name.</summary>
    /// <param name="name">The collector name.</param>
    /// <returns>The definition, or <see langword="null"/>.</returns>
    public CollectorDefinition? Find(string name) => _definitions.GetValueOrDefault(name);

    /// <summary>Where a collector came from.</summary>
    /// <param name="name">The collector name.</param>
    /// <returns><c>built-in</c> or the plugin file.</returns>
    public string OriginOf(string name) => _origins.GetValueOrDefault(name, "unknown");

    /// <summary>Whether <paramref name="name"/> is a valid collector or instance name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True for lowercase letters, digits and underscores, starting with a letter.</returns>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
