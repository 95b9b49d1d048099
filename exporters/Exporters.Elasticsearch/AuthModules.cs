using Exporters.Abstractions;
using Exporters.Elasticsearch.Aws;

namespace Exporters.Elasticsearch;

/// <summary>The kinds of auth module, as elasticsearch_exporter's <c>auth_modules</c> names them.</summary>
internal enum AuthModuleType
{
    UserPass,
    ApiKey,
    Aws,
    Tls,
}

/// <summary>
/// elasticsearch_exporter's <c>auth_modules</c>: named credential sets that a <c>/probe</c> request picks with
/// <c>auth_module=NAME</c>. The same checks as elasticsearch_exporter's at load time, each naming its key.
/// </summary>
internal static class AuthModules
{
    /// <summary>The probe parameter that names a module.</summary>
    public const string Parameter = "auth_module";

    private const string Types = "userpass, apikey, aws or tls";

    public static AuthModuleType? ParseType(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        "userpass" => AuthModuleType.UserPass,
        "apikey" => AuthModuleType.ApiKey,
        "aws" => AuthModuleType.Aws,
        "tls" => AuthModuleType.Tls,
        _ => null,
    };

    public static void Validate(string name, ElasticsearchAuthModuleOptions module, AwsEnvironment awsEnvironment, OptionErrors errors)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(errors);
        var prefix = "auth_modules." + name;
        if (string.IsNullOrWhiteSpace(module.Type))
        {
            errors.Add(prefix + ".type", "must be " + Types);
            return;
        }

        switch (ParseType(module.Type))
        {
            case AuthModuleType.UserPass:
                if (string.IsNullOrEmpty(module.UserPass?.Username))
                {
                    errors.Add(prefix + ".userpass.username", "type userpass needs userpass.username and userpass.password");
                }

                if (string.IsNullOrEmpty(module.UserPass?.Password))
                {
                    errors.Add(prefix + ".userpass.password", "type userpass needs userpass.username and userpass.password");
                }

                break;
            case AuthModuleType.ApiKey:
                if (string.IsNullOrEmpty(module.ApiKey))
                {
                    errors.Add(prefix + ".apikey", "type apikey needs apikey (the base64 id:key)");
                }

                break;
            case AuthModuleType.Aws:
                // The region may come from AWS_REGION, as elasticsearch_exporter lets it.
                ElasticsearchAws.Validate(module.Aws ?? new ElasticsearchAwsOptions(), prefix + ".aws", awsEnvironment, errors);
                break;
            case AuthModuleType.Tls:
                if (module.Tls is null || string.IsNullOrEmpty(module.Tls.CertFile) || string.IsNullOrEmpty(module.Tls.KeyFile))
                {
                    errors.Add(prefix + ".tls", "type tls authenticates with a client certificate: it needs tls.cert_file and tls.key_file");
                }

                if (module.UserPass is not null || !string.IsNullOrEmpty(module.ApiKey) || module.Aws is not null)
                {
                    errors.Add(prefix + ".type", "type tls authenticates with the client certificate only; remove userpass, apikey and aws");
                }

                break;
            default:
                errors.Add(prefix + ".type", $"'{module.Type}' is not {Types}");
                return;
        }

        module.Tls?.Validate(prefix + ".tls", errors);
    }

    /// <summary>
    /// The module a probe asked for, or null when it named none; throws, naming the parameter, for an unknown
    /// parameter or module, which fails that probe.
    /// </summary>
    public static (string Name, ElasticsearchAuthModuleOptions Module)? Select(IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, ElasticsearchAuthModuleOptions> modules)
    {
        string? requested = null;
        foreach (var (key, value) in parameters)
        {
            if (key != Parameter)
            {
                throw new ArgumentException($"/probe parameter '{key}' is not known to the elasticsearch collector, which takes {Parameter}");
            }

            requested = value;
        }

        if (string.IsNullOrEmpty(requested))
        {
            return null;
        }

        if (modules.TryGetValue(requested, out var module))
        {
            return (requested, module);
        }

        // Keys that came through environment variables are lower-cased; a module named in capitals still matches.
        foreach (var (name, candidate) in modules)
        {
            if (string.Equals(name, requested, StringComparison.OrdinalIgnoreCase))
            {
                return (name, candidate);
            }
        }

        var known = modules.Count == 0 ? "no auth_modules are configured" : "configured: " + string.Join(", ", modules.Keys.Order(StringComparer.Ordinal));
        throw new ArgumentException($"/probe parameter {Parameter}: no auth module is named '{Truncate(requested)}' ({known})");
    }

    /// <summary>The TLS settings a probe with <paramref name="module"/> uses: the module's, each falling back to the collector's.</summary>
    public static ClientTlsOptions MergeTls(ClientTlsOptions configured, ClientTlsOptions? module) => module is null
        ? configured
        : new ClientTlsOptions
        {
            CaFile = string.IsNullOrEmpty(module.CaFile) ? configured.CaFile : module.CaFile,
            CertFile = string.IsNullOrEmpty(module.CertFile) ? configured.CertFile : module.CertFile,
            KeyFile = string.IsNullOrEmpty(module.KeyFile) ? configured.KeyFile : module.KeyFile,
            InsecureSkipVerify = configured.InsecureSkipVerify || module.InsecureSkipVerify,
        };

    /// <summary>The module's <c>options</c> as a query string (without '?'), in name order.</summary>
    public static string Query(IReadOnlyDictionary<string, string> options) =>
        string.Join('&', options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => Uri.EscapeDataString(o.Key) + "=" + Uri.EscapeDataString(o.Value)));

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
