namespace Exporters.Abstractions;

/// <summary>Problems found while validating a collector's options; each names the key it is about.</summary>
public sealed class OptionErrors
{
    private readonly List<OptionError> _errors = [];

    /// <summary>The problems, in the order found.</summary>
    public IReadOnlyList<OptionError> Errors => _errors;

    /// <summary>Whether any problem was found.</summary>
    public bool HasErrors => _errors.Count > 0;

    /// <summary>Records a problem with <paramref name="key"/> (relative to the collector's section, snake_case).</summary>
    /// <param name="key">The configuration key, for example <c>address</c> or <c>tls.ca_file</c>.</param>
    /// <param name="message">What is wrong and what would be right.</param>
    public void Add(string key, string message) => _errors.Add(new OptionError(key, message));
}

/// <summary>One option problem.</summary>
/// <param name="Key">The configuration key, relative to the collector's section.</param>
/// <param name="Message">What is wrong.</param>
public readonly record struct OptionError(string Key, string Message);
