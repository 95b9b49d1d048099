using Exporters.Testing;

namespace Exporters.Alertmanager.Tests;

public class OptionTests
{
    [Theory]
    [InlineData("uri", "localhost:9093", "uri")]
    [InlineData("alert_labels", "alertname,bad-label", "alert_labels")]
    [InlineData("alert_labels", "alertname,state", "alert_labels")]
    [InlineData("series_limit", "0", "series_limit")]
    [InlineData("passthrough:path", "metrics", "passthrough.path")]
    [InlineData("passthrough:prefix", "1x", "passthrough.prefix")]
    [InlineData("passthrough:deny_families:0", "(", "passthrough.deny_families.0")]
    public void Invalid_options_name_their_key(string key, string value, string reportedKey)
    {
        var settings = new Dictionary<string, string?> { ["uri"] = "http://127.0.0.1:9093", [key] = value };
        var (_, errors) = CollectorHarness.BindOptions(Support.Definition, settings);
        Assert.Contains(errors.Errors, e => e.Key == reportedKey);
    }

    [Fact]
    public void Defaults_and_flags()
    {
        var (options, errors) = CollectorHarness.BindOptions(Support.Definition, new Dictionary<string, string?> { ["uri"] = "http://127.0.0.1:9093" });
        Assert.False(errors.HasErrors);
        var am = Assert.IsType<AlertmanagerOptions>(options);
        Assert.Equal(["alertname", "severity"], am.ParseAlertLabels());
        Assert.False(am.AlertSeries);
        Assert.False(am.SilenceSeries);
        Assert.Equal(TimeSpan.FromHours(1), am.ExpiryHorizon.Value);
        Assert.True(am.Passthrough.Enabled);
        Assert.Equal("http://127.0.0.1:9093", am.GetTarget());

        var flags = Support.Definition.Flags.ToDictionary(f => f.Name);
        Assert.Equal("uri", flags["alertmanager.uri"].OptionKey);
        Assert.Equal("timeout", flags["alertmanager.timeout"].OptionKey);
        Assert.All(Support.Definition.Flags, f => Assert.StartsWith("ALERTMANAGER_", f.EnvironmentVariable, StringComparison.Ordinal));
        Assert.Equal("alertmanager_api_up", Support.Definition.UpMetricName);
    }

    [Fact]
    public void Yaml_style_keys_bind()
    {
        var (options, errors) = CollectorHarness.BindOptions(Support.Definition, new Dictionary<string, string?>
        {
            ["uri"] = "http://127.0.0.1:9093",
            ["alert_labels"] = "alertname, team",
            ["alert_series"] = "true",
            ["silence_series"] = "true",
            ["series_limit"] = "50",
            ["expiry_horizon"] = "30m",
            ["passthrough:enabled"] = "true",
            ["passthrough:allow_families:0"] = "alertmanager_.*",
            ["passthrough:series_limit"] = "100",
        });
        Assert.False(errors.HasErrors, string.Join("; ", errors.Errors));
        var am = (AlertmanagerOptions)options;
        Assert.Equal(["alertname", "team"], am.ParseAlertLabels());
        Assert.Equal(TimeSpan.FromMinutes(30), am.ExpiryHorizon.Value);
        Assert.Equal(["alertmanager_.*"], am.Passthrough.AllowFamilies);
        Assert.Equal(100, am.Passthrough.SeriesLimit);
    }
}
