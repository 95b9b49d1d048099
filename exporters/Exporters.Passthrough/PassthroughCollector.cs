using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace Exporters.Passthrough;

/// <summary>One instance of the <c>passthrough</c> collector.</summary>
internal sealed class PassthroughCollector : ICollector, IDisposable
{
    private readonly PassthroughScraper _scraper;

    public PassthroughCollector(PassthroughOptions options)
    {
        _scraper = new PassthroughScraper(options.ToSettings(), "passthrough_");
    }

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        var up = false;
        if (TargetUri.TryParse(context.Target, out var uri, out var error))
        {
            up = await _scraper.ScrapeAsync(uri!, writer, context.Logger, _scraper.SelfMetricNames, context.FetchCancellationToken);
        }
        else
        {
            context.Logger.LogWarning("passthrough target {Error}", error);
        }

        _scraper.WriteSelfMetrics(writer, up);
    }

    public void Dispose() => _scraper.Dispose();
}
