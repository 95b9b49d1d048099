using Exporters.Hosting.Collectors;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Hosting.Tests;

public class PluginTests
{
    /// <summary>The sample plugin as its own build produced it: its assembly and deps file, without the contract.</summary>
    internal static string SamplePluginDirectory()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var build = Path.Combine(Tools.RepositoryRoot(), "tests", "Exporters.SamplePlugin", "bin", configuration, "net10.0");
        var plugins = Tools.TempDirectory("plugins");
        var folder = Directory.CreateDirectory(Path.Combine(plugins, "Exporters.SamplePlugin")).FullName;
        foreach (var file in new[] { "Exporters.SamplePlugin.dll", "Exporters.SamplePlugin.deps.json" })
        {
            File.Copy(Path.Combine(build, file), Path.Combine(folder, file));
        }

        Assert.False(File.Exists(Path.Combine(build, "Exporters.Abstractions.dll")), "the plugin must not ship its own copy of the contract");
        return plugins;
    }

    [Fact]
    public void Plugin_definitions_load_into_their_own_context_and_share_the_contract()
    {
        var registry = new CollectorRegistry();
        var loaded = PluginLoader.LoadInto(SamplePluginDirectory(), registry);

        Assert.Equal(1, loaded);
        var definition = registry.Find("sample");
        Assert.NotNull(definition);
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(definition.GetType().Assembly);
        Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, context);
        Assert.Equal("Exporters.SamplePlugin", context!.Name);
        Assert.EndsWith("Exporters.SamplePlugin.dll", registry.OriginOf("sample"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_started_with_plugins_dir_scrapes_the_plugin_collector_configured_by_its_flags()
    {
        var port = Tools.FreePort();
        var builder = StockExporter.Builder([$"--web.listen-address=127.0.0.1:{port}", $"--plugins.dir={SamplePluginDirectory()}", "--sample.address=127.0.0.1:7000"], null);
        var app = builder.EnablePlugins().Build();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient();
            var text = await client.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            Assert.Equal(1, MetricText.Require(text, "sample_up"));
            Assert.Contains("sample_build_info{version=\"1.2.3\",target=\"127.0.0.1:7000\"} 1", text, StringComparison.Ordinal);
            Assert.Equal(1, MetricText.Require(text, "exporter_collectors{type=\"sample\"}"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_stops_start_up_naming_the_file()
    {
        var directory = Tools.TempDirectory("bad-plugins");
        File.WriteAllText(Path.Combine(directory, "broken.dll"), "not an assembly");
        var error = Assert.Throws<ConfigurationException>(() => PluginLoader.LoadInto(directory, new CollectorRegistry()));
        Assert.Contains("broken.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_plugins_directory_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => PluginLoader.LoadInto("/nonexistent/plugins", new CollectorRegistry()));
        Assert.Contains("--plugins.dir", error.Message, StringComparison.Ordinal);
    }
}
