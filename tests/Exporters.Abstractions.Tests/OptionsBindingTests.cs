using Exporters.Abstractions.Configuration;
using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions.Tests;

/// <summary>The generated binders: every key read into its property, and every problem named by its key.</summary>
public partial class OptionsBindingTests
{
    private static (SampleOptions Options, OptionErrors Errors) Bind(params (string Key, string? Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("c:" + v.Key, v.Value)))
            .Build();
        var errors = new OptionErrors();
        var options = new SampleOptions();
        OptionsBinding.Bind(options, configuration.GetSection("c"), errors);
        return (options, errors);
    }

    [Fact]
    public void Every_kind_of_value_is_read_into_its_property()
    {
        var (options, errors) = Bind(
            ("address", "db:6379"),
            ("timeout", "1m30s"),
            ("max_series", "42"),
            ("ratio", "0.25"),
            ("big", "9000000000"),
            ("mode", "Replica"),
            ("period", "00:00:05"),
            ("endpoint", "https://example.test/x"),
            ("labels:team", "a"),
            ("tls:ca_file", "/ca.pem"),
            ("tls:insecure_skip_verify", "true"),
            ("targets:0:address", "a:1"),
            ("targets:1:address", "b:2"),
            ("targets:1:password", "pw-of-b"),
            ("named:east:address", "e:3"),
            ("single_flight", "false"));
        Assert.Empty(errors.Errors);
        Assert.Equal("db:6379", options.Address);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Timeout.Value);
        Assert.Equal(42, options.MaxSeries);
        Assert.Equal(0.25, options.Ratio);
        Assert.Equal(9_000_000_000L, options.Big);
        Assert.Equal(SampleMode.Replica, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Period);
        Assert.Equal(new Uri("https://example.test/x"), options.Endpoint);
        Assert.Equal("a", options.Labels["team"]);
        Assert.Equal("/ca.pem", options.Tls.CaFile);
        Assert.True(options.Tls.InsecureSkipVerify);
        Assert.Equal(["a:1", "b:2"], options.Targets.Select(t => t.Address));
        Assert.Equal("e:3", options.Named["east"].Address);
        Assert.False(options.SingleFlight);
    }

    [Fact]
    public void Defaults_stay_when_a_key_is_absent_or_empty()
    {
        var (options, errors) = Bind(("timeout", string.Empty), ("max_series", null));
        Assert.Empty(errors.Errors);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout.Value);
        Assert.Equal(100_000, options.MaxSeries);
        Assert.Equal("localhost:1", options.Address);
        Assert.Equal(["x.lua"], options.Scripts);
    }

    [Fact]
    public void A_list_of_strings_takes_a_yaml_list_or_one_comma_separated_value()
    {
        var (fromFlag, errors) = Bind(("scripts", "a.lua, b.lua,,c.lua"), ("names", "x,y"), ("tls:alternatives", "p,q"));
        Assert.Empty(errors.Errors);
        Assert.Equal(["a.lua", "b.lua", "c.lua"], fromFlag.Scripts);
        Assert.Equal(["x", "y"], fromFlag.Names);
        Assert.Equal(["p", "q"], fromFlag.Tls.Alternatives);

        var (fromYaml, _) = Bind(("scripts:0", "a,b.lua"), ("scripts:1", "c.lua"));
        Assert.Equal(["a,b.lua", "c.lua"], fromYaml.Scripts);

        var (emptied, _) = Bind(("scripts", string.Empty));
        Assert.Empty(emptied.Scripts);
    }

    [Theory]
    [InlineData("timeout", "5x", "timeout", "'5x' is not a duration")]
    [InlineData("max_series", "many", "max_series", "'many' is not a whole number")]
    [InlineData("max_series", "99999999999", "max_series", "is not a whole number from")]
    [InlineData("single_flight", "yes", "single_flight", "'yes' is not true or false")]
    [InlineData("mode", "leader", "mode", "'leader' is not one of: primary, replica")]
    [InlineData("mode", "1", "mode", "is not one of")]
    [InlineData("ratio", "half", "ratio", "'half' is not a number")]
    [InlineData("labels", "team=a", "labels", "expects a map, not a single value")]
    [InlineData("tls", "on", "tls", "expects a map, not a single value")]
    [InlineData("targets", "a:1", "targets", "expects a list, not a single value")]
    [InlineData("targets:x:address", "a:1", "targets", "expects a list, not a map")]
    [InlineData("address:host", "a", "address", "expects a single value, not a map or list")]
    [InlineData("tls:ca_fil", "/ca.pem", "tls.ca_fil", "unknown key; valid keys here are: alternatives, ca_file, cert_file, insecure_skip_verify, key_file, server_name")]
    [InlineData("targets:1:passwrd", "x", "targets.1.passwrd", "unknown key; valid keys here are: address, password")]
    [InlineData("named:east:port", "1", "named.east.port", "unknown key")]
    public void Problems_name_the_key_in_the_users_spelling(string key, string value, string expectedKey, string expectedMessage)
    {
        var (_, errors) = Bind((key, value));
        var error = Assert.Single(errors.Errors);
        Assert.Equal(expectedKey, error.Key);
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_top_level_key_lists_the_valid_ones_including_the_common_keys()
    {
        var (_, errors) = Bind(("adress", "x"));
        var error = Assert.Single(errors.Errors);
        Assert.Equal("adress", error.Key);
        Assert.Contains("address, big, enabled, endpoint, labels, max_series, min_interval, mode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_ignore_case_as_configuration_keys_do()
    {
        var (options, errors) = Bind(("Address", "x:1"), ("TLS:CA_FILE", "/ca"));
        Assert.Empty(errors.Errors);
        Assert.Equal("x:1", options.Address);
        Assert.Equal("/ca", options.Tls.CaFile);
    }

    [Fact]
    public void Secret_values_are_collected_from_nested_objects_lists_and_maps()
    {
        var (options, _) = Bind(("password", "top-secret"), ("targets:0:password", "list-secret"), ("named:a:password", "map-secret"), ("targets:1:address", "no-secret"));
        Assert.Equal(["list-secret", "map-secret", "top-secret"], OptionsBinding.SecretValues(options).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Options_without_a_generated_binder_are_refused_with_a_message_that_says_why()
    {
        var errors = new OptionErrors();
        OptionsBinding.Bind(new CollectorOptions(), new ConfigurationBuilder().Build(), errors);
        var error = Assert.Single(errors.Errors);
        Assert.Contains("no generated configuration binder: declare the class partial", error.Message, StringComparison.Ordinal);
    }

    public enum SampleMode
    {
        Primary,
        Replica,
    }

    public sealed partial class SampleOptions : CollectorOptions
    {
        [ConfigurationKeyName("address")]
        public string Address { get; set; } = "localhost:1";

        [Secret]
        [ConfigurationKeyName("password")]
        public string? Password { get; set; }

        [ConfigurationKeyName("ratio")]
        public double Ratio { get; set; }

        [ConfigurationKeyName("big")]
        public long Big { get; set; }

        [ConfigurationKeyName("mode")]
        public SampleMode Mode { get; set; }

        [ConfigurationKeyName("period")]
        public TimeSpan? Period { get; set; }

        [ConfigurationKeyName("endpoint")]
        public Uri? Endpoint { get; set; }

        [ConfigurationKeyName("scripts")]
        public List<string> Scripts { get; set; } = ["x.lua"];

        [ConfigurationKeyName("names")]
        public string[] Names { get; set; } = [];

        [ConfigurationKeyName("tls")]
        public SampleTls Tls { get; set; } = new();

        [ConfigurationKeyName("targets")]
        public List<SampleTarget> Targets { get; set; } = [];

        [ConfigurationKeyName("named")]
        public Dictionary<string, SampleTarget> Named { get; set; } = [];

        /// <summary>Computed, so not a key.</summary>
        public bool HasPassword => Password is not null;
    }

    public sealed class SampleTls : ClientTlsOptions
    {
        [ConfigurationKeyName("server_name")]
        public string? ServerName { get; set; }

        [ConfigurationKeyName("alternatives")]
        public List<string> Alternatives { get; } = [];
    }

    public sealed class SampleTarget
    {
        [ConfigurationKeyName("address")]
        public string? Address { get; set; }

        [Secret]
        [ConfigurationKeyName("password")]
        public string? Password { get; set; }
    }
}
