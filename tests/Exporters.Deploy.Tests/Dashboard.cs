using System.Text.Json;

namespace Exporters.Deploy.Tests;

/// <summary>One Grafana dashboard of dashboards/, read for its variables, panels and queries.</summary>
internal sealed class Dashboard
{
    private Dashboard(string name, JsonElement root)
    {
        Name = name;
        Root = root;
    }

    public string Name { get; }

    public JsonElement Root { get; }

    /// <summary>The file names (without .json) the kit ships: one per collector and one for the host.</summary>
    public static IReadOnlyList<string> Names { get; } = ["redis", "elasticsearch", "alertmanager", "exporter"];

    public IEnumerable<JsonElement> Variables => Root.GetProperty("templating").GetProperty("list").EnumerateArray();

    public IEnumerable<JsonElement> AllPanels => Root.GetProperty("panels").EnumerateArray();

    /// <summary>Panels that show data (rows excluded).</summary>
    public IEnumerable<JsonElement> Panels => AllPanels.Where(p => p.GetProperty("type").GetString() != "row");

    public IEnumerable<(string Panel, string Expr)> Queries =>
        Panels.SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (p.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!)));

    public static Dashboard Load(string name)
    {
        var text = File.ReadAllText(Path.Combine(Kit.Dashboards, name + ".json"));
        using var document = JsonDocument.Parse(text);
        return new Dashboard(name, document.RootElement.Clone());
    }

    public static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
