using System.Globalization;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Microsoft.Extensions.Logging;

namespace Exporters.SamplePlugin;

/// <summary>Writes one family of each type, after an optional delay.</summary>
/// <param name="options">The options.</param>
public sealed class SampleCollector(SampleOptions options) : ICollector
{
    private static readonly GaugeDefinition Up = new("sample_up", "Whether the sample target answered.");
    private static readonly GaugeDefinition Value = new("sample_value", "A value per series index.", ["index"]);
    private static readonly CounterDefinition Events = new("sample_events_total", "Events counted by the sample collector.");
    private static readonly InfoDefinition Build = new("sample_build_info", "Build of the sample target.", ["version", "target"]);
    private static readonly StateSetDefinition Mode = new("sample_mode", "Mode of the sample target.");
    private static readonly HistogramDefinition Latency = new("sample_latency_seconds", "Latency of sample requests.", ["op"], "seconds");
    private static readonly SummaryDefinition Size = new("sample_size_bytes", "Sizes of sample payloads.", unit: "bytes");
    private static readonly string[] Modes = ["primary", "replica"];
    private long _scrapes;

    /// <summary>How many times <see cref="CollectAsync"/> started.</summary>
    public long Scrapes => Interlocked.Read(ref _scrapes);

    /// <inheritdoc/>
    public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writer);
        var scrape = Interlocked.Increment(ref _scrapes);
        if (!options.Delay.IsZero)
        {
            await Task.Delay(options.Delay, context.TimeProvider, options.IgnoreDeadline ? CancellationToken.None : context.CancellationToken);
        }

        if (options.Fail)
        {
            throw new InvalidOperationException($"sample failure as configured (password {options.Password} must not show)");
        }

        if (options.Down)
        {
            // As a collector whose target refused the connection: the scrape succeeds, up is 0, the log says why.
            context.Logger.LogWarning(
                "sample target {Target} did not answer: connection refused (as configured; password {Password} must not show)",
                Secrets.RedactTarget(context.Target),
                options.Password);
            writer.Write(Up, 0);
            return;
        }

        writer.Write(Up, 1);
        for (var i = 0; i < options.Series; i++)
        {
            writer.Write(Value, i, i.ToString(CultureInfo.InvariantCulture));
        }

        writer.Write(Events, scrape);
        writer.Write(Build, "1.2.3", Secrets.RedactTarget(context.Target));
        writer.WriteStates(Mode, Modes, "primary");
        writer.Write(Latency, [new(0.01, 2), new(0.1, 5), new(1, 7)], 1.75, 8, "get");
        writer.Write(Size, [new(0.5, 120), new(0.99, 4000)], 98765, 321);
    }
}
