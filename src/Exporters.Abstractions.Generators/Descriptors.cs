using Microsoft.CodeAnalysis;

namespace Exporters.Abstractions.Generators;

/// <summary>What the options binder generator can tell a collector author.</summary>
internal static class Descriptors
{
    private const string Category = "Exporters.Options";

    public static readonly DiagnosticDescriptor NotPartial = new(
        "EXPOPT001",
        "Options class must be partial",
        "'{0}' must be declared partial so that its configuration binder can be generated",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Classes deriving from CollectorOptions (and the types they are nested in) are bound from configuration by generated code, which is added to the class itself.");

    public static readonly DiagnosticDescriptor UnsupportedType = new(
        "EXPOPT002",
        "Option property cannot be bound",
        "Property '{0}.{1}' of type '{2}' cannot be bound from configuration; use a string, a number, bool, an enum, Duration, TimeSpan, Uri, a list or map of strings, or a class with a public parameterless constructor (or a list or map of such classes)",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateKey = new(
        "EXPOPT003",
        "Two properties share a configuration key",
        "'{0}' binds the key '{1}' to both '{2}' and '{3}'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SecretNotString = new(
        "EXPOPT004",
        "[Secret] on a property that is not text",
        "[Secret] on '{0}.{1}' has no effect: only string properties (and lists and maps of strings) hold secrets",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Generic = new(
        "EXPOPT005",
        "Generic options classes are not supported",
        "'{0}' is generic; options classes bound from configuration must not be generic",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor[] All = [NotPartial, UnsupportedType, DuplicateKey, SecretNotString, Generic];

    public static DiagnosticDescriptor Find(string id) => All.First(d => d.Id == id);

    public static bool IsError(string id) => Find(id).DefaultSeverity == DiagnosticSeverity.Error;
}
