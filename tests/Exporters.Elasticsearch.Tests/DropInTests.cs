using Exporters.TestSupport;

namespace Exporters.Elasticsearch.Tests;

/// <summary>
/// Started as <c>elasticsearch_exporter</c> (the image's symlink), the host takes every flag and variable of
/// elasticsearch_exporter 1.11 with its meaning, listens on :9114, and reads its <c>--config.file</c>.
/// </summary>
public sealed class DropInTests
{
    /// <summary>
    /// Every flag elasticsearch_exporter 1.11 defines (main.go, collector/*.go registerCollector and tasks.go,
    /// exporter-toolkit's web flags, promslog's log flags), with a value of its kind.
    /// </summary>
    public static TheoryData<string> AnchorFlags() =>
    [
        "--web.telemetry-path=/metrics",
        "--web.listen-address=127.0.0.1:0",
        "--web.config.file=",
        "--web.systemd-socket",
        "--es.uri=http://127.0.0.1:9200",
        "--es.timeout=5s",
        "--es.all",
        "--es.node=_local",
        "--es.indices",
        "--es.indices_settings",
        "--es.indices_mappings",
        "--es.aliases",
        "--no-es.aliases",
        "--es.shards",
        "--es.clusterinfo.interval=5m",
        "--es.ca=",
        "--es.client-private-key=",
        "--es.client-cert=",
        "--es.ssl-skip-verify",
        "--log.output=stdout",
        "--log.output=stderr",
        "--log.level=debug",
        "--log.format=json",
        "--config.file=",
        "--collector.cluster-info",
        "--no-collector.cluster-info",
        "--collector.clustersettings",
        "--collector.data-stream",
        "--collector.health-report",
        "--collector.ilm",
        "--collector.slm",
        "--collector.snapshots",
        "--collector.tasks",
        "--tasks.actions=indices:*",

        // Spellings of 1.0 to 1.9 that pod specs and elasticsearch_exporter's README still carry.
        "--es.cluster_settings",
        "--es.snapshots",
        "--es.slm",
        "--es.ilm",
        "--es.data_stream",
    ];

    [Theory]
    [MemberData(nameof(AnchorFlags))]
    public async Task Each_flag_of_elasticsearch_exporter_1_11_is_accepted(string flag)
    {
        // Empty file flags are left out: they mean "none" in elasticsearch_exporter and are unset here.
        if (flag.EndsWith('='))
        {
            flag = flag.TrimEnd('=');
            Assert.Contains(flag, DropInHost.Help(), StringComparison.Ordinal);
            return;
        }

        await using var app = DropInHost.Build([flag], []);
        Assert.Null(app.Output);
    }

    [Fact]
    public async Task The_aws_flags_are_accepted_with_credentials_in_the_environment()
    {
        await using var app = DropInHost.Build(["--es.uri=https://search-domain.eu-west-1.es.amazonaws.com", "--aws.region=eu-west-1", "--aws.role-arn=arn:aws:iam::123456789012:role/monitoring"], [], Aws.AwsTestEnvironment.Keys());
        Assert.Null(app.Output);
    }

    [Fact]
    public async Task It_listens_on_9114_unless_told_otherwise()
    {
        await using (var app = DropInHost.Build([], []))
        {
            Assert.Equal([":9114"], app.ListenAddresses);
        }

        await using (var app = DropInHost.Build(["--web.listen-address=:9200", "--web.listen-address=127.0.0.1:9300"], []))
        {
            Assert.Equal([":9200", "127.0.0.1:9300"], app.ListenAddresses);
        }

        // The stock name keeps the project's port.
        await using var stock = StockExporter.Build([], null);
        Assert.Equal([":9840"], stock.ListenAddresses);
    }

    [Fact]
    public void Help_lists_the_flags_of_elasticsearch_exporter()
    {
        var help = DropInHost.Help();
        Assert.Contains("Started as elasticsearch_exporter", help, StringComparison.Ordinal);
        Assert.Contains("It listens on :9114", help, StringComparison.Ordinal);
        foreach (var flag in (string[])["--collector.clustersettings", "--collector.tasks", "--tasks.actions", "--es.clusterinfo.interval", "--aws.region", "--aws.role-arn", "--log.output", "--web.systemd-socket", "--es.ilm", "[ES_USERNAME]", "[ES_API_KEY]"])
        {
            Assert.Contains(flag, help, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--log.output=file", "log.output")]
    [InlineData("--es.clusterinfo.interval=often", "clusterinfo_interval")]
    [InlineData("--es.uri=ftp://x", "uri")]
    [InlineData("--tasks.actions=", "task_actions")]
    [InlineData("--aws.region=eu-west-1", "collectors.elasticsearch.aws")]
    public async Task A_bad_value_stops_start_up_naming_the_setting(string flag, string named)
    {
        // --aws.region with no credentials anywhere in the (empty) environment.
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = DropInHost.Build(["--es.uri=http://127.0.0.1:9200", flag], [], Aws.AwsTestEnvironment.Empty());
        });
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_es_uri_metrics_has_no_elasticsearch_families_as_in_1_10_and_later()
    {
        var text = await DropInHost.ScrapeAsync([], []);
        Assert.DoesNotContain("elasticsearch_", text, StringComparison.Ordinal);
        Assert.Contains("exporter_collector_success{collector=\"elasticsearch\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Es_indices_alone_brings_aliases_through_the_host()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var text = await DropInHost.ScrapeAsync([$"--es.uri={server.Uri}", "--es.indices"], []);
        Assert.Contains("elasticsearch_indices_aliases{cluster=\"docker-cluster\",index=\"foo_2\",alias=\"foo_alias_2_1\"} 1", text, StringComparison.Ordinal);
        var without = await DropInHost.ScrapeAsync([$"--es.uri={server.Uri}", "--es.indices", "--es.aliases=false"], []);
        Assert.DoesNotContain("elasticsearch_indices_aliases", without, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renamed_collector_flags_of_old_releases_still_switch_their_collectors()
    {
        await using var server = await EsFixtureServer.StartAsync("es7");
        var text = await DropInHost.ScrapeAsync([$"--es.uri={server.Uri}", "--es.ilm", "--es.cluster_settings", "--collector.clustersettings=false", "--es.data_stream"], []);
        Assert.Contains("elasticsearch_scrape_success{collector=\"ilm\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("elasticsearch_scrape_success{collector=\"data-stream\"} 1", text, StringComparison.Ordinal);

        // The later flag wins, as in kingpin.
        Assert.DoesNotContain("collector=\"cluster-settings\"", text, StringComparison.Ordinal);
    }
}
