using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Exporters.Hosting.Security;

/// <summary>
/// Reads and validates a <c>--web.config.file</c>. Unknown keys and bad values are errors naming the key, like the
/// exporter-toolkit's strict parsing, so a typo never silently serves without TLS or credentials.
/// </summary>
internal static class WebConfigLoader
{
    private const string Flag = "--web.config.file";

    private static readonly string[] TopLevelKeys = ["tls_server_config", "http_server_config", "basic_auth_users"];
    private static readonly string[] TlsKeys = ["cert_file", "key_file", "cert", "key", "client_auth_type", "client_ca_file", "client_ca", "cipher_suites", "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites", "client_allowed_sans"];
    private static readonly string[] HttpKeys = ["http2", "headers"];

    // The headers the exporter-toolkit lets a web config set, with the values it accepts (null: any).
    private static readonly Dictionary<string, string[]?> AllowedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Strict-Transport-Security"] = null,
        ["X-Content-Type-Options"] = ["nosniff"],
        ["X-Frame-Options"] = ["deny", "sameorigin"],
        ["X-XSS-Protection"] = null,
        ["Content-Security-Policy"] = null,
    };

    private static readonly (string Name, SslProtocols Protocol)[] Versions =
    [
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0 and 1.1 are accepted because the format allows them; min_version defaults to TLS12.
        ("TLS10", SslProtocols.Tls),
        ("TLS11", SslProtocols.Tls11),
#pragma warning restore SYSLIB0039, CA5397
        ("TLS12", SslProtocols.Tls12),
        ("TLS13", SslProtocols.Tls13),
    ];

    /// <summary>Reads <paramref name="path"/>; null or empty gives <see cref="WebConfig.None"/>.</summary>
    /// <param name="path">The file, or null.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="ConfigurationException">The file cannot be read or is invalid; every problem names its key.</exception>
    public static WebConfig Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return WebConfig.None;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{Flag}: cannot read '{path}': {e.Message}");
        }

        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", checkFiles: true);
    }

    /// <summary>Parses the text of a web config.</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="directory">The directory relative file names are resolved against (the file's own).</param>
    /// <param name="checkFiles">Whether to load the certificate, key and CA files now, so a bad file fails start-up.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="ConfigurationException">The text is invalid; every problem names its key.</exception>
    public static WebConfig Parse(string yaml, string directory, bool checkFiles)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(directory);
        var problems = new List<string>();
        var warnings = new List<string>();
        var root = ReadRoot(yaml);
        if (root is null)
        {
            return WebConfig.None;
        }

        foreach (var key in UnknownKeys(root, TopLevelKeys))
        {
            problems.Add($"{Flag}: {key}: unknown key; valid keys are: {string.Join(", ", TopLevelKeys)}");
        }

        var tls = ParseTls(Child(root, "tls_server_config", problems), directory, checkFiles, problems, warnings);
        var http = ParseHttp(Child(root, "http_server_config", problems), tls is not null, problems, warnings);
        var users = ParseUsers(root, problems);

        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return new WebConfig(tls, http, users, warnings);
    }

    private static YamlMappingNode? ReadRoot(string yaml)
    {
        CheckDepth(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{Flag}: line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // The representation model rejects some valid YAML (an alias to a missing anchor, for one) this way.
            throw new ConfigurationException($"{Flag}: not a valid web config: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return null;
        }

        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigurationException($"{Flag}: the top level must be a map of tls_server_config, http_server_config and basic_auth_users");
    }

    /// <summary>
    /// The representation model loads nesting by recursion; a web config is three levels deep, so anything much
    /// deeper is refused with the streaming parser before it can exhaust the stack.
    /// </summary>
    private static void CheckDepth(string yaml)
    {
        const int MaxDepth = 32;
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart when ++depth > MaxDepth:
                        throw new ConfigurationException($"{Flag}: line {parser.Current.Start.Line}: nested more than {MaxDepth} levels deep");
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{Flag}: line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet fails this way on some malformed plain scalars and tags.
            throw new ConfigurationException($"{Flag}: not valid YAML: {e.Message}");
        }
    }

    private static TlsServerConfig? ParseTls(YamlMappingNode? node, string directory, bool checkFiles, List<string> problems, List<string> warnings)
    {
        if (node is null)
        {
            return null;
        }

        const string Prefix = Flag + ": tls_server_config.";
        foreach (var key in UnknownKeys(node, TlsKeys))
        {
            problems.Add($"{Prefix}{key}: unknown key; valid keys are: {string.Join(", ", TlsKeys)}");
        }

        foreach (var inline in new[] { "cert", "key", "client_ca" })
        {
            if (Scalar(node, inline, Prefix, problems) is { Length: > 0 })
            {
                problems.Add($"{Prefix}{inline}: inline PEM is not supported; put it in a file and use {inline}_file");
            }
        }

        var certFile = Scalar(node, "cert_file", Prefix, problems);
        var keyFile = Scalar(node, "key_file", Prefix, problems);
        var caFile = Scalar(node, "client_ca_file", Prefix, problems);
        var started = problems.Count;
        if (string.IsNullOrEmpty(certFile) && string.IsNullOrEmpty(keyFile))
        {
            // The toolkit treats an empty section as plain HTTP.
            if (node.Children.Count == 0)
            {
                return null;
            }

            problems.Add($"{Prefix}cert_file: missing; TLS needs cert_file and key_file");
        }
        else if (string.IsNullOrEmpty(certFile))
        {
            problems.Add($"{Prefix}cert_file: missing; key_file is set");
        }
        else if (string.IsNullOrEmpty(keyFile))
        {
            problems.Add($"{Prefix}key_file: missing; cert_file is set");
        }

        var clientAuth = ClientAuthType.NoClientCert;
        if (Scalar(node, "client_auth_type", Prefix, problems) is { Length: > 0 } authText)
        {
            if (!Enum.GetNames<ClientAuthType>().Contains(authText, StringComparer.Ordinal))
            {
                problems.Add($"{Prefix}client_auth_type: '{authText}' is not one of {string.Join(", ", Enum.GetNames<ClientAuthType>())}");
            }
            else
            {
                clientAuth = Enum.Parse<ClientAuthType>(authText);
            }
        }

        if (clientAuth is ClientAuthType.VerifyClientCertIfGiven or ClientAuthType.RequireAndVerifyClientCert && string.IsNullOrEmpty(caFile))
        {
            problems.Add($"{Prefix}client_ca_file: required when client_auth_type is {clientAuth}");
        }

        var min = Version(node, "min_version", SslProtocols.Tls12, Prefix, problems);
        var max = Version(node, "max_version", SslProtocols.Tls13, Prefix, problems);
        if (min > max)
        {
            problems.Add($"{Prefix}min_version: is above max_version");
        }

        var protocols = SslProtocols.None;
        foreach (var (_, protocol) in Versions.Where(v => v.Protocol >= min && v.Protocol <= max))
        {
            protocols |= protocol;
        }

        List<TlsCipherSuite>? ciphers = null;
        if (Sequence(node, "cipher_suites", Prefix, problems) is { Count: > 0 } cipherNames)
        {
            ciphers = [];
            foreach (var name in cipherNames)
            {
                var names = Enum.GetNames<TlsCipherSuite>();

                // Go also knows the ChaCha20 suites without their "_SHA256" suffix.
                var known = names.Contains(name, StringComparer.Ordinal) ? name : names.Contains(name + "_SHA256", StringComparer.Ordinal) ? name + "_SHA256" : null;
                if (known is not null && Enum.TryParse<TlsCipherSuite>(known, ignoreCase: false, out var suite))
                {
                    ciphers.Add(suite);
                }
                else
                {
                    problems.Add($"{Prefix}cipher_suites: '{name}' is not a TLS cipher suite name (for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
                }
            }
        }

        if (Sequence(node, "curve_preferences", Prefix, problems) is { Count: > 0 })
        {
            warnings.Add("tls_server_config.curve_preferences is accepted but not applied: the platform's TLS library chooses the curves");
        }

        if (node.Children.ContainsKey(new YamlScalarNode("prefer_server_cipher_suites")))
        {
            warnings.Add("tls_server_config.prefer_server_cipher_suites is accepted but not applied: the platform's TLS library decides the order");
        }

        var sans = Sequence(node, "client_allowed_sans", Prefix, problems) ?? [];
        if (sans.Count > 0 && clientAuth is not (ClientAuthType.VerifyClientCertIfGiven or ClientAuthType.RequireAndVerifyClientCert))
        {
            problems.Add($"{Prefix}client_allowed_sans: needs client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert");
        }

        if (problems.Count > started)
        {
            return null;
        }

        var tls = new TlsServerConfig(Resolve(directory, certFile!), Resolve(directory, keyFile!), clientAuth, caFile is { Length: > 0 } ? Resolve(directory, caFile) : null, protocols, ciphers, sans);
        if (checkFiles)
        {
            try
            {
                using var certificate = TlsSetup.LoadCertificate(tls.CertFile, tls.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                problems.Add($"{Prefix}cert_file: cannot load '{tls.CertFile}' with key_file '{tls.KeyFile}': {e.Message}");
            }

            if (tls.ClientCaFile is { } ca)
            {
                try
                {
                    if (TlsSetup.LoadCertificates(ca).Count == 0)
                    {
                        problems.Add($"{Prefix}client_ca_file: '{ca}' holds no PEM certificate");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    problems.Add($"{Prefix}client_ca_file: cannot load '{ca}': {e.Message}");
                }
            }
        }

        return tls;
    }

    private static HttpServerConfig ParseHttp(YamlMappingNode? node, bool tls, List<string> problems, List<string> warnings)
    {
        if (node is null)
        {
            return WebConfig.None.Http;
        }

        const string Prefix = Flag + ": http_server_config.";
        foreach (var key in UnknownKeys(node, HttpKeys))
        {
            problems.Add($"{Prefix}{key}: unknown key; valid keys are: {string.Join(", ", HttpKeys)}");
        }

        var http2 = true;
        if (Scalar(node, "http2", Prefix, problems) is { Length: > 0 } http2Text && !bool.TryParse(http2Text, out http2))
        {
            problems.Add($"{Prefix}http2: '{http2Text}' is not true or false");
        }

        if (http2 && !tls && node.Children.ContainsKey(new YamlScalarNode("http2")))
        {
            warnings.Add("http_server_config.http2 only applies with tls_server_config: browsers and Prometheus negotiate HTTP/2 over TLS");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Child(node, "headers", problems, Prefix) is { } headerNode)
        {
            foreach (var (keyNode, valueNode) in headerNode.Children)
            {
                var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (!AllowedHeaders.TryGetValue(name, out var values))
                {
                    problems.Add($"{Prefix}headers.{name}: cannot be set; allowed headers are: {string.Join(", ", AllowedHeaders.Keys)}");
                    continue;
                }

                if (valueNode is not YamlScalarNode { Value: { } value })
                {
                    problems.Add($"{Prefix}headers.{name}: must be a string");
                    continue;
                }

                if (values is not null && !values.Contains(value, StringComparer.OrdinalIgnoreCase) || value.Any(char.IsControl))
                {
                    problems.Add($"{Prefix}headers.{name}: '{value}' is not allowed{(values is null ? string.Empty : "; use " + string.Join(" or ", values))}");
                    continue;
                }

                headers[name] = value;
            }
        }

        return new HttpServerConfig(http2, headers);
    }

    private static Dictionary<string, string> ParseUsers(YamlMappingNode root, List<string> problems)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "basic_auth_users", problems) is not { } node)
        {
            return users;
        }

        foreach (var (keyNode, valueNode) in node.Children)
        {
            var user = (keyNode as YamlScalarNode)?.Value;
            if (string.IsNullOrEmpty(user) || user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl))
            {
                problems.Add($"{Flag}: basic_auth_users: user names must be non-empty text without ':'");
                continue;
            }

            // The hash is not echoed: it is a secret's derivative and has no place in an error message.
            var hash = (valueNode as YamlScalarNode)?.Value;
            if (!BcryptHashes.IsValidHash(hash, out var problem))
            {
                problems.Add($"{Flag}: basic_auth_users.{user}: {problem}");
                continue;
            }

            users[user] = hash!;
        }

        return users;
    }

    private static SslProtocols Version(YamlMappingNode node, string key, SslProtocols fallback, string prefix, List<string> problems)
    {
        if (Scalar(node, key, prefix, problems) is not { Length: > 0 } text)
        {
            return fallback;
        }

        foreach (var (name, protocol) in Versions)
        {
            if (name == text)
            {
                return protocol;
            }
        }

        problems.Add($"{prefix}{key}: '{text}' is not one of {string.Join(", ", Versions.Select(v => v.Name))}");
        return fallback;
    }

    private static string Resolve(string directory, string file) => Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(directory, file));

    private static IEnumerable<string> UnknownKeys(YamlMappingNode node, string[] known) =>
        node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? "?").Where(k => !known.Contains(k, StringComparer.Ordinal));

    private static YamlMappingNode? Child(YamlMappingNode node, string key, List<string> problems, string prefix = Flag + ": ")
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var child) || child is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return null;
        }

        if (child is YamlMappingNode mapping)
        {
            return mapping;
        }

        problems.Add($"{prefix}{key}: must be a map");
        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key, string prefix, List<string> problems)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var child))
        {
            return null;
        }

        if (child is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        problems.Add($"{prefix}{key}: must be a single value");
        return null;
    }

    private static List<string>? Sequence(YamlMappingNode node, string key, string prefix, List<string> problems)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var child) || child is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return null;
        }

        if (child is YamlSequenceNode sequence && sequence.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }))
        {
            return [.. sequence.Children.Select(c => ((YamlScalarNode)c).Value!)];
        }

        problems.Add($"{prefix}{key}: must be a list of names");
        return null;
    }
}
