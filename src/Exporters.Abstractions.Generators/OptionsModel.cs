using System.Collections;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Exporters.Abstractions.Generators;

/// <summary>How a property's value is read from configuration.</summary>
internal enum PropertyShape
{
    Scalar,
    StringList,
    StringMap,
    Nested,
    NestedList,
    NestedMap,
}

/// <summary>One bindable property, as plain values so the incremental pipeline can compare models.</summary>
internal sealed record PropertyModel(
    string Name,
    string Key,
    PropertyShape Shape,
    string Reader,
    string TypeName,
    string ElementTypeName,
    int NestedIndex,
    bool IsArray,
    bool CanAssign,
    bool AssignsReadOnlyMap,
    bool IsSecret);

/// <summary>An options type reachable from a root, with the properties it binds.</summary>
internal sealed record TypeModel(string TypeName, EquatableArray<PropertyModel> Properties);

/// <summary>A source location that compares by value.</summary>
internal sealed record LocationModel(string Path, TextSpan Span, LinePositionSpan Lines)
{
    public static LocationModel? From(Location? location) =>
        location is null || location.SourceTree is null ? null : new LocationModel(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(Path, Span, Lines);
}

/// <summary>A diagnostic to report, by descriptor id and message arguments.</summary>
internal sealed record DiagnosticModel(string Id, LocationModel? Location, EquatableArray<string> Arguments);

/// <summary>A partial options class to generate a binder for, and everything it reaches.</summary>
internal sealed record RootModel(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Declaration,
    string FullName,
    string HintName,
    EquatableArray<TypeModel> Types,
    EquatableArray<DiagnosticModel> Diagnostics,
    bool CanGenerate);

/// <summary>An immutable array compared by its items, for incremental generator models.</summary>
internal readonly struct EquatableArray<T>(ImmutableArray<T> items) : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly ImmutableArray<T> _items = items;

    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    public int Count => Items.Length;

    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in Items)
        {
            hash = (hash * 31) + (item?.GetHashCode() ?? 0);
        }

        return hash;
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
