using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Exporters.Host.Configuration;

/// <summary>Flattens a YAML document into configuration keys (<c>collectors:redis:timeout</c>).</summary>
public static class YamlConfiguration
{
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

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return values;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{source}: the top level must be a map of keys such as 'collectors:'");
        }

        Visit(root, string.Empty, values, source);
        return values;
    }

    private static void Visit(YamlNode node, string path, Dictionary<string, string?> values, string source)
    {
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
                    if (values.Keys.Any(k => k.Equals(childPath, StringComparison.OrdinalIgnoreCase) || k.StartsWith(childPath + ":", StringComparison.OrdinalIgnoreCase)))
                    {
                        throw new ConfigurationException($"{OptionsBinder.Display(childPath)}: key given twice ({source}, line {keyNode.Start.Line})");
                    }

                    Visit(child, childPath, values, source);
                }

                break;
            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0)
                {
                    values[path] = string.Empty;
                }

                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], $"{path}:{i.ToString(CultureInfo.InvariantCulture)}", values, source);
                }

                break;
            case YamlScalarNode scalar:
                // A key with nothing after it ("redis:") still names a section, so it must exist.
                values[path] = scalar.Value is null or "~" or "null" && scalar.Style == ScalarStyle.Plain ? string.Empty : scalar.Value;
                break;
            default:
                throw new ConfigurationException($"{OptionsBinder.Display(path)}: unsupported YAML node ({source}, line {node.Start.Line})");
        }
    }
}
