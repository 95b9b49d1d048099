using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Exporters.Hosting.Configuration;

/// <summary>Flattens a YAML document into configuration keys (<c>collectors:redis:timeout</c>).</summary>
internal static class YamlConfiguration
{
    /// <summary>
    /// The most nodes a document may expand to. Aliases can make a small file expand exponentially (a "billion
    /// laughs" document); a real configuration is a few hundred nodes.
    /// </summary>
    public const int MaxNodes = 100_000;

    /// <summary>Reads <paramref name="yaml"/> into key/value pairs.</summary>
    /// <param name="yaml">The document.</param>
    /// <param name="source">The file name, for messages.</param>
    /// <returns>The pairs.</returns>
    /// <exception cref="ConfigurationException">The text is not valid YAML or its top level is not a map.</exception>
    public static Dictionary<string, string?> Flatten(string yaml, string source)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed documents (duplicate anchors, alias cycles) this way.
            throw new ConfigurationException($"{source}: not a valid YAML document: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return values;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{source}: the top level must be a map of keys such as 'collectors:'");
        }

        var budget = MaxNodes;
        Visit(root, string.Empty, values, new HashSet<string>(StringComparer.OrdinalIgnoreCase), source, ref budget);
        return values;
    }

    private static void Visit(YamlNode node, string path, Dictionary<string, string?> values, HashSet<string> paths, string source, ref int budget)
    {
        if (--budget < 0)
        {
            throw new ConfigurationException($"{source}: the document expands to more than {MaxNodes} nodes (through aliases?); that is not a configuration");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                if (mapping.Children.Count == 0 && path.Length > 0)
                {
                    values[path] = string.Empty;
                }

                foreach (var (keyNode, child) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                    {
                        throw new ConfigurationException($"{source}: line {keyNode.Start.Line}: keys must be plain text");
                    }

                    var childPath = path.Length == 0 ? key : $"{path}:{key}";
                    // Configuration keys ignore case, so "Redis" and "redis" in one map are the same key.
                    if (!paths.Add(childPath))
                    {
                        throw new ConfigurationException($"{Display(childPath)}: key given twice ({source}, line {keyNode.Start.Line})");
                    }

                    Visit(child, childPath, values, paths, source, ref budget);
                }

                break;
            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0)
                {
                    values[path] = string.Empty;
                }

                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], $"{path}:{i.ToString(CultureInfo.InvariantCulture)}", values, paths, source, ref budget);
                }

                break;
            case YamlScalarNode scalar:
                // A key with nothing after it ("redis:") still names a section, so it must exist.
                values[path] = scalar.Value is null or "~" or "null" && scalar.Style == ScalarStyle.Plain ? string.Empty : scalar.Value;
                break;
            default:
                throw new ConfigurationException($"{Display(path)}: unsupported YAML node ({source}, line {node.Start.Line})");
        }
    }

    /// <summary>Converts a configuration path (<c>a:b:c</c>) to the dotted form users read in YAML (<c>a.b.c</c>).</summary>
    /// <param name="path">The configuration path.</param>
    /// <returns>The dotted key.</returns>
    public static string Display(string path) => path.Replace(':', '.');
}
