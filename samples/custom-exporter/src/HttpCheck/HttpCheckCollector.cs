using System.Diagnostics;
using System.Globalization;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace HttpCheck;

/// <summary>One HTTP check: a GET of the URL per scrape, within the scrape's deadline.</summary>
internal sealed class HttpCheckCollector(HttpCheckOptions options) : ICollector, IDisposable
{
    private static readonly GaugeDefinition Up = new("http_check_up", "Whether the URL answered with the expected status (1) or not (0).");
    private static readonly GaugeDefinition Status = new("http_check_status_code", "The status of the last answer, 0 when there was none.");
    private static readonly GaugeDefinition Duration = new("http_check_duration_seconds", "How long the check took.", unit: "seconds");

    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            // The fetch token fires a little before the deadline, leaving time to write http_check_up 0.
            using var response = await _client.GetAsync(context.Target, HttpCompletionOption.ResponseHeadersRead, context.FetchCancellationToken);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            context.Logger.LogWarning("http check of {Url} failed: {Error}", Secrets.RedactTarget(context.Target), e.Message);
        }

        var healthy = status == options.ExpectedStatus;
        if (status != 0 && !healthy)
        {
            context.Logger.LogWarning("http check of {Url} answered {Status}, not {Expected}", Secrets.RedactTarget(context.Target), status.ToString(CultureInfo.InvariantCulture), options.ExpectedStatus.ToString(CultureInfo.InvariantCulture));
        }

        writer.Write(Up, healthy ? 1 : 0);
        writer.Write(Status, status);
        writer.Write(Duration, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public void Dispose() => _client.Dispose();
}
