namespace System.Runtime.CompilerServices;

/// <summary>Lets records compile for netstandard2.0, which the compiler loads generators as.</summary>
internal static class IsExternalInit;
