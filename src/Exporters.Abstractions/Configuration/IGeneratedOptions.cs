using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions.Configuration;

/// <summary>
/// An options class whose configuration binder was generated at compile time. The generator that ships with this
/// package implements it on every <see langword="partial"/> class deriving from <see cref="CollectorOptions"/>;
/// it is not meant to be implemented by hand. Bind through <see cref="OptionsBinding.Bind"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGeneratedOptions
{
    /// <summary>Reads every key of <paramref name="section"/> into this object, reporting unknown keys and invalid values.</summary>
    /// <param name="section">The configuration section of these options.</param>
    /// <param name="prefix">The dotted key of <paramref name="section"/> within the section being bound, for messages (empty at the top).</param>
    /// <param name="errors">Where problems go, each naming its key.</param>
    void Bind(IConfiguration section, string prefix, OptionErrors errors);

    /// <summary>Adds the values of <see cref="SecretAttribute"/> properties, nested ones included, to <paramref name="secrets"/>.</summary>
    /// <param name="secrets">Where the values go.</param>
    void AddSecrets(ICollection<string> secrets);
}
