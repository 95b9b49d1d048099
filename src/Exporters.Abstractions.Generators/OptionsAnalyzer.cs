using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Exporters.Abstractions.Generators;

/// <summary>Turns an options class and the option types it reaches into a <see cref="RootModel"/>.</summary>
internal static class OptionsAnalyzer
{
    public const string CollectorOptionsName = "Exporters.Abstractions.CollectorOptions";
    private const string DurationName = "Exporters.Abstractions.Duration";
    private const string SecretAttributeName = "Exporters.Abstractions.SecretAttribute";
    private const string KeyNameAttributeName = "Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    public static bool DerivesFromCollectorOptions(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == CollectorOptionsName)
            {
                return true;
            }
        }

        return false;
    }

    public static RootModel Analyze(INamedTypeSymbol root, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticModel>();
        var rootLocation = LocationModel.From(root.Locations.FirstOrDefault());
        var containing = new List<string>();
        var canGenerate = true;
        if (!IsPartial(root))
        {
            diagnostics.Add(new DiagnosticModel(Descriptors.NotPartial.Id, rootLocation, Args(root.Name)));
            canGenerate = false;
        }

        if (root.IsGenericType)
        {
            diagnostics.Add(new DiagnosticModel(Descriptors.Generic.Id, rootLocation, Args(root.Name)));
            canGenerate = false;
        }

        for (var outer = root.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer))
            {
                diagnostics.Add(new DiagnosticModel(Descriptors.NotPartial.Id, LocationModel.From(outer.Locations.FirstOrDefault()), Args(outer.Name)));
                canGenerate = false;
            }

            containing.Insert(0, $"partial {Kind(outer)} {outer.Name}");
        }

        var types = new List<INamedTypeSymbol>();
        var models = new List<TypeModel>();
        Describe(root, types, models, diagnostics, root, cancellationToken);

        var ns = root.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var fullName = root.ToDisplayString(TypeFormat);
        var hint = root.ToDisplayString().Replace('<', '_').Replace('>', '_').Replace(',', '_').Replace(' ', '_') + ".ExportersOptions.g.cs";
        return new RootModel(
            ns,
            new EquatableArray<string>(containing.ToImmutableArray()),
            $"partial {Kind(root)} {root.Name}",
            fullName,
            hint,
            new EquatableArray<TypeModel>(models.ToImmutableArray()),
            new EquatableArray<DiagnosticModel>(diagnostics.ToImmutableArray()),
            canGenerate && !diagnostics.Any(d => Descriptors.IsError(d.Id)));
    }

    private static string Kind(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
        TypeKind.Interface => "interface",
        _ => type.IsRecord ? "record class" : "class",
    };

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0
        && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>Adds <paramref name="type"/> (once) and every options type its properties reach; returns its index.</summary>
    private static int Describe(INamedTypeSymbol type, List<INamedTypeSymbol> types, List<TypeModel> models, List<DiagnosticModel> diagnostics, INamedTypeSymbol root, CancellationToken cancellationToken)
    {
        for (var i = 0; i < types.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(types[i], type))
            {
                return i;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var index = types.Count;
        types.Add(type);
        models.Add(null!);
        var properties = new List<PropertyModel>();
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        var seenKeys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public } || !seenNames.Add(property.Name))
                {
                    continue;
                }

                var canAssign = property.SetMethod is { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false };
                var location = LocationModel.From(property.Locations.FirstOrDefault()) ?? LocationModel.From(root.Locations.FirstOrDefault());
                var model = Classify(property, canAssign, types, models, diagnostics, root, location, cancellationToken);
                if (model is null)
                {
                    continue;
                }

                if (seenKeys.TryGetValue(model.Key, out var other))
                {
                    diagnostics.Add(new DiagnosticModel(Descriptors.DuplicateKey.Id, location, Args(type.Name, model.Key, other, property.Name)));
                    continue;
                }

                seenKeys.Add(model.Key, property.Name);
                properties.Add(model);
            }
        }

        models[index] = new TypeModel(type.ToDisplayString(TypeFormat), new EquatableArray<PropertyModel>(properties.ToImmutableArray()));
        return index;
    }

    private static PropertyModel? Classify(IPropertySymbol property, bool canAssign, List<INamedTypeSymbol> types, List<TypeModel> models, List<DiagnosticModel> diagnostics, INamedTypeSymbol root, LocationModel? location, CancellationToken cancellationToken)
    {
        var key = KeyName(property);
        var isSecret = property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SecretAttributeName);
        var type = property.Type;
        var typeName = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat);

        if (ScalarReader(type) is { } reader)
        {
            if (!canAssign)
            {
                // A read-only scalar (a computed property) is not a configuration key.
                return null;
            }

            if (isSecret && type.SpecialType != SpecialType.System_String)
            {
                diagnostics.Add(new DiagnosticModel(Descriptors.SecretNotString.Id, location, Args(property.ContainingType.Name, property.Name)));
            }

            return new PropertyModel(property.Name, key, PropertyShape.Scalar, reader, typeName, string.Empty, -1, false, true, false, isSecret && type.SpecialType == SpecialType.System_String);
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_String })
        {
            return canAssign ? new PropertyModel(property.Name, key, PropertyShape.StringList, string.Empty, typeName, "string", -1, true, true, false, isSecret) : Unsupported();
        }

        if (type is INamedTypeSymbol named)
        {
            if (CollectionElement(named) is { } element)
            {
                if (!canAssign && !IsMutableCollection(named))
                {
                    return Unsupported();
                }

                if (element.SpecialType == SpecialType.System_String)
                {
                    return new PropertyModel(property.Name, key, PropertyShape.StringList, string.Empty, typeName, "string", -1, false, canAssign, false, isSecret);
                }

                if (IsOptionsClass(element))
                {
                    var nested = Describe((INamedTypeSymbol)element, types, models, diagnostics, root, cancellationToken);
                    return new PropertyModel(property.Name, key, PropertyShape.NestedList, string.Empty, typeName, element.ToDisplayString(TypeFormat), nested, false, canAssign, false, false);
                }

                return Unsupported();
            }

            if (MapValue(named, out var readOnlyMap) is { } value)
            {
                if (value.SpecialType == SpecialType.System_String)
                {
                    return canAssign || !readOnlyMap
                        ? new PropertyModel(property.Name, key, PropertyShape.StringMap, string.Empty, typeName, "string", -1, false, canAssign, readOnlyMap, isSecret)
                        : Unsupported();
                }

                if (IsOptionsClass(value))
                {
                    var nested = Describe((INamedTypeSymbol)value, types, models, diagnostics, root, cancellationToken);
                    return canAssign || !readOnlyMap
                        ? new PropertyModel(property.Name, key, PropertyShape.NestedMap, string.Empty, typeName, value.ToDisplayString(TypeFormat), nested, false, canAssign, readOnlyMap, false)
                        : Unsupported();
                }

                return Unsupported();
            }

            if (IsOptionsClass(named))
            {
                var nested = Describe(named, types, models, diagnostics, root, cancellationToken);
                return new PropertyModel(property.Name, key, PropertyShape.Nested, string.Empty, typeName, typeName, nested, false, canAssign, false, false);
            }
        }

        return canAssign ? Unsupported() : null;

        PropertyModel? Unsupported()
        {
            diagnostics.Add(new DiagnosticModel(Descriptors.UnsupportedType.Id, location, Args(property.ContainingType.Name, property.Name, type.ToDisplayString())));
            return null;
        }
    }

    private static string KeyName(IPropertySymbol property)
    {
        foreach (var attribute in property.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == KeyNameAttributeName && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name)
            {
                return name;
            }
        }

        return property.Name;
    }

    private static string? ScalarReader(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String: return "TryReadString";
            case SpecialType.System_Boolean: return "TryReadBoolean";
            case SpecialType.System_Byte: return "TryReadByte";
            case SpecialType.System_Int16: return "TryReadInt16";
            case SpecialType.System_UInt16: return "TryReadUInt16";
            case SpecialType.System_Int32: return "TryReadInt32";
            case SpecialType.System_UInt32: return "TryReadUInt32";
            case SpecialType.System_Int64: return "TryReadInt64";
            case SpecialType.System_UInt64: return "TryReadUInt64";
            case SpecialType.System_Single: return "TryReadSingle";
            case SpecialType.System_Double: return "TryReadDouble";
            case SpecialType.System_Decimal: return "TryReadDecimal";
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return "TryReadEnum<" + type.ToDisplayString(TypeFormat) + ">";
        }

        return type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString() switch
        {
            DurationName => "TryReadDuration",
            "System.TimeSpan" => "TryReadTimeSpan",
            "System.Uri" => "TryReadUri",
            _ => null,
        };
    }

    /// <summary>The element type when <paramref name="type"/> is a list a <c>List&lt;T&gt;</c> can be assigned to.</summary>
    private static ITypeSymbol? CollectionElement(INamedTypeSymbol type)
    {
        if (!type.IsGenericType || type.TypeArguments.Length != 1)
        {
            return null;
        }

        return type.OriginalDefinition.ToDisplayString() switch
        {
            "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.ICollection<T>"
                or "System.Collections.Generic.IEnumerable<T>" or "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IReadOnlyCollection<T>" => type.TypeArguments[0],
            _ => null,
        };
    }

    private static bool IsMutableCollection(INamedTypeSymbol type) => type.OriginalDefinition.ToDisplayString() is
        "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.ICollection<T>";

    /// <summary>The value type when <paramref name="type"/> is a map with string keys a <c>Dictionary&lt;string, T&gt;</c> can be assigned to.</summary>
    private static ITypeSymbol? MapValue(INamedTypeSymbol type, out bool readOnly)
    {
        readOnly = false;
        if (!type.IsGenericType || type.TypeArguments.Length != 2 || type.TypeArguments[0].SpecialType != SpecialType.System_String)
        {
            return null;
        }

        switch (type.OriginalDefinition.ToDisplayString())
        {
            case "System.Collections.Generic.Dictionary<TKey, TValue>":
            case "System.Collections.Generic.IDictionary<TKey, TValue>":
                return type.TypeArguments[1];
            case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
                readOnly = true;
                return type.TypeArguments[1];
            default:
                return null;
        }
    }

    private static bool IsOptionsClass(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: false, IsGenericType: false } named
        && named.SpecialType == SpecialType.None
        && !named.ToDisplayString().StartsWith("System.", StringComparison.Ordinal)
        && named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public);

    private static EquatableArray<string> Args(params string[] values) => new(values.ToImmutableArray());
}
