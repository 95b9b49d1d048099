using Exporters.Abstractions;
using Exporters.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Exporters.Host.Tests;

public class OptionsBinderTests
{
    private static (ListOptions Options, OptionErrors Errors) Bind(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("c:" + v.Key, v.Value)))
            .Build();
        var errors = new OptionErrors();
        var options = (ListOptions)OptionsBinder.Bind(configuration.GetSection("c"), typeof(ListOptions), errors);
        return (options, errors);
    }

    [Fact]
    public void A_list_of_strings_takes_a_yaml_list_or_one_comma_separated_value()
    {
        var (fromFlag, errors) = Bind(("paths", "a.lua, b.lua,,c.lua"), ("names", "x,y"), ("inner:items", "p,q"));
        Assert.False(errors.HasErrors);
        Assert.Equal(["a.lua", "b.lua", "c.lua"], fromFlag.Paths);
        Assert.Equal(["x", "y"], fromFlag.Names);
        Assert.Equal(["p", "q"], fromFlag.Inner.Items);

        var (fromYaml, _) = Bind(("paths:0", "a,b.lua"), ("paths:1", "c.lua"));
        Assert.Equal(["a,b.lua", "c.lua"], fromYaml.Paths);
    }

    [Fact]
    public void A_map_still_refuses_a_single_value()
    {
        var (_, errors) = Bind(("labels", "team=a"));
        var error = Assert.Single(errors.Errors);
        Assert.Equal("labels", error.Key);
        Assert.Contains("expects a map or a list", error.Message, StringComparison.Ordinal);
    }

    public sealed class ListOptions
    {
        [ConfigurationKeyName("paths")]
        public List<string> Paths { get; set; } = [];

        [ConfigurationKeyName("names")]
        public string[] Names { get; set; } = [];

        [ConfigurationKeyName("labels")]
        public Dictionary<string, string> Labels { get; set; } = [];

        [ConfigurationKeyName("inner")]
        public InnerOptions Inner { get; set; } = new();
    }

    public sealed class InnerOptions
    {
        [ConfigurationKeyName("items")]
        public List<string> Items { get; set; } = [];
    }
}
