using System.Globalization;
using Exporters.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Exporters.Deploy.Tests;

/// <summary>Paths of the adoption kit and the tools that read it (kubectl kustomize, promtool, the CRD validator).</summary>
internal static class Kit
{
    public static string Root { get; } = Tools.RepositoryRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string Dashboards => Path.Combine(Root, "dashboards");

    public static string Runbooks => Path.Combine(Root, "docs", "runbooks");

    public static string RulesDirectory => Path.Combine(Deploy, "prometheus-rules");

    public static string CrdSchemas => Path.Combine(Tools.SharedDirectory(), "schemas", "prometheus-operator-v0.93.0");

    /// <summary>The collectors the kit covers, as named in deploy/components and deploy/prometheus-rules.</summary>
    public static IReadOnlyList<string> Collectors { get; } = ["redis", "elasticsearch", "alertmanager"];

    /// <summary>Every directory under deploy/examples that holds a kustomization.</summary>
    public static IReadOnlyList<string> Examples { get; } = Directory.GetDirectories(Path.Combine(Root, "deploy", "examples"))
        .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Order(StringComparer.Ordinal)
        .ToList();

    public static TheoryData<string> ExampleData()
    {
        var data = new TheoryData<string>();
        foreach (var example in Examples)
        {
            data.Add(example);
        }

        return data;
    }

    // Components and annotation selectors in patches need kustomize 4 or later (kubectl 1.21+); Debian's
    // kubernetes-client 1.20 embeds kustomize 2, which fails on them with a less helpful message.
    private static readonly Lazy<Task> KustomizeVersion = new(async () =>
    {
        var (_, output) = await RunAsync("kubectl", "version", "--client");
        var match = System.Text.RegularExpressions.Regex.Match(output, @"Kustomize Version: v(\d+)");
        Assert.True(match.Success && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= 4, $"kubectl with kustomize v4 or later is required (kubectl 1.21+); found:\n{output}");
    });

    /// <summary>Runs a program to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var process = ExternalProcess.Start(program, arguments);
        await using (process)
        {
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish");
            }

            // Output arrives through asynchronous events; let the last lines land.
            await Task.Delay(50);
            return (process.ExitCode, process.Output);
        }
    }

    /// <summary><c>kubectl kustomize deploy/examples/&lt;example&gt;</c>; fails the test when kustomize fails.</summary>
    public static async Task<string> KustomizeAsync(string example)
    {
        await KustomizeVersion.Value;
        var directory = Path.Combine(Root, "deploy", "examples", example);
        var (code, output) = await RunAsync("kubectl", "kustomize", directory);
        Assert.True(code == 0, $"kubectl kustomize {directory} failed:\n{output}");
        return output;
    }

    /// <summary>Waits until Prometheus' /-/ready answers 200 (it listens before its storage is open).</summary>
    public static async Task WaitForPrometheusAsync(ExternalProcess prometheus, HttpClient api, int port)
    {
        await prometheus.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using (var response = await api.GetAsync(new Uri("/-/ready", UriKind.Relative)))
            {
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "prometheus did not become ready:\n" + prometheus.Output);
            await Task.Delay(200);
        }
    }

    /// <summary>Parses a stream of YAML documents into dictionaries, lists and strings.</summary>
    public static List<Dictionary<string, object?>> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(d => ToPlain(d.RootNode))
            .OfType<Dictionary<string, object?>>()
            .ToList();
    }

    public static Dictionary<string, object?> ParseDocument(string yaml) => ParseDocuments(yaml).Single();

    public static object? ToPlain(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? string.Empty, p => ToPlain(p.Value), StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(ToPlain).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    /// <summary>Follows a path of keys (and list indexes) into parsed YAML; null when any step is missing.</summary>
    public static object? At(object? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<string, object?> map, string key) => map.GetValueOrDefault(key),
                (List<object?> list, int index) when index < list.Count => list[index],
                _ => null,
            };
        }

        return node;
    }

    public static string? Str(object? node, params object[] path) => At(node, path) as string;

    public static Dictionary<string, object?> Map(object? node, params object[] path) => At(node, path) as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    public static List<object?> List(object? node, params object[] path) => At(node, path) as List<object?> ?? [];

    public static string Kind(Dictionary<string, object?> document) => Str(document, "kind") ?? string.Empty;

    public static string Name(Dictionary<string, object?> document) => Str(document, "metadata", "name") ?? string.Empty;

    /// <summary>A Prometheus duration (30s, 1m30s, 2h) in seconds.</summary>
    public static double Seconds(string duration)
    {
        var total = 0.0;
        var number = string.Empty;
        for (var i = 0; i < duration.Length; i++)
        {
            var c = duration[i];
            if (char.IsDigit(c) || c == '.')
            {
                number += c;
                continue;
            }

            var unit = c == 'm' && i + 1 < duration.Length && duration[i + 1] == 's' ? "ms" : c.ToString();
            i += unit.Length - 1;
            var value = double.Parse(number, CultureInfo.InvariantCulture);
            total += unit switch
            {
                "ms" => value / 1000,
                "s" => value,
                "m" => value * 60,
                "h" => value * 3600,
                "d" => value * 86400,
                _ => throw new FormatException($"'{duration}' is not a Prometheus duration"),
            };
            number = string.Empty;
        }

        return number.Length == 0 ? total : throw new FormatException($"'{duration}' has no unit");
    }
}
