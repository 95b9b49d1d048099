using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions;

/// <summary>
/// The <c>tls:</c> keys of a collector that connects to its target over TLS: the certificate authorities to trust,
/// a client certificate, and the explicit opt-out of verification. Use it as a property of your options class and
/// pass its values to <see cref="ClientTls.CreateOptions"/>, so every collector reads the same keys the same way.
/// </summary>
public class ClientTlsOptions
{
    /// <summary>PEM file of the certificate authorities to trust instead of the system's.</summary>
    [ConfigurationKeyName("ca_file")]
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate.</summary>
    [ConfigurationKeyName("cert_file")]
    public string? CertFile { get; set; }

    /// <summary>PEM private key of the client certificate.</summary>
    [ConfigurationKeyName("key_file")]
    public string? KeyFile { get; set; }

    /// <summary>Accept any server certificate. For tests only: anyone in the path can then read the credentials.</summary>
    [ConfigurationKeyName("insecure_skip_verify")]
    public bool InsecureSkipVerify { get; set; }

    /// <summary>Checks that a client certificate comes with its key and that every named file exists.</summary>
    /// <param name="prefix">The key these options sit under, like <c>tls</c> or <c>probe_targets.0.tls</c>.</param>
    /// <param name="errors">Where problems go, each naming its key.</param>
    public void Validate(string prefix, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(CertFile) != string.IsNullOrEmpty(KeyFile))
        {
            errors.Add(prefix + (string.IsNullOrEmpty(CertFile) ? ".cert_file" : ".key_file"), $"a client certificate needs both {prefix}.cert_file and {prefix}.key_file");
        }

        foreach (var (key, file) in new[] { ("ca_file", CaFile), ("cert_file", CertFile), ("key_file", KeyFile) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                errors.Add($"{prefix}.{key}", $"file '{file}' does not exist");
            }
        }
    }
}
