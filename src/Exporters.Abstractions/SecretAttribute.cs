namespace Exporters.Abstractions;

/// <summary>
/// Marks an options property that holds a credential. The host never shows its value, and scrubs the value from
/// every log line, error message and page it produces.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class SecretAttribute : Attribute;
