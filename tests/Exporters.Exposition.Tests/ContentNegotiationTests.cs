namespace Exporters.Exposition.Tests;

public class ContentNegotiationTests
{
    private const string Text = "text/plain; version=0.0.4; charset=utf-8";
    private const string OpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    [Theory]
    [InlineData(null, Text)]
    [InlineData("", Text)]
    [InlineData("*/*", Text)]
    [InlineData("text/plain", Text)]
    [InlineData("text/plain;version=0.0.4", Text)]
    [InlineData("application/openmetrics-text", OpenMetrics)]
    [InlineData("application/openmetrics-text; version=1.0.0", OpenMetrics)]
    [InlineData("application/openmetrics-text;version=0.0.1", "application/openmetrics-text; version=0.0.1; charset=utf-8")]
    [InlineData("application/openmetrics-text;version=2.0.0", Text)]
    [InlineData("application/json", Text)]
    // Prometheus 2.x default.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", OpenMetrics)]
    // Prometheus with native histograms on: protobuf first, which is not served, so the next preference wins.
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.4", OpenMetrics)]
    // q orders preferences regardless of their position.
    [InlineData("text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.9", OpenMetrics)]
    [InlineData("application/openmetrics-text;q=0,text/plain", Text)]
    [InlineData("APPLICATION/OPENMETRICS-TEXT; Version=\"1.0.0\"", OpenMetrics)]
    public void Negotiates_like_prometheus_client_libraries(string? accept, string expected)
    {
        Assert.Equal(expected, ContentNegotiation.Negotiate(accept).ContentType);
    }
}
