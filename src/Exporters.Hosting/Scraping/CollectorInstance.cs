using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;

namespace Exporters.Hosting.Scraping;

/// <summary>
/// A running collector instance: its collector, its constant labels, its last result, and the rules every scrape of
/// it follows: a deadline, one in-flight scrape per target shared by concurrent requests (single flight), and the
/// optional <c>min_interval</c> cache.
/// </summary>
internal sealed partial class CollectorInstance : IAsyncDisposable
{
    private const int MaxErrorLength = 400;
    private static readonly MetricBatch EmptyBatch = new();
    private static readonly Dictionary<string, string> NoParameters = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _serial = new(1, 1);
    private readonly Dictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly GaugeDefinition? _up;
    private string? _lastLoggedError;
    private DateTimeOffset _lastLoggedErrorAt;
    private string? _lastLoggedRejection;
    private long _rejectedTotal;
    private long _droppedTotal;
    private long _scrapesTotal;
    private long _failuresTotal;

    /// <summary>Families the last successful scrape wrote: the next writer is sized for them.</summary>
    private int _lastFamilyCount;

    /// <summary>Creates the instance and its collector.</summary>
    /// <param name="configuration">The validated configuration.</param>
    /// <param name="loggerFactory">Logger factory.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="redactor">The secret scrubber.</param>
    public CollectorInstance(InstanceConfiguration configuration, ILoggerFactory loggerFactory, TimeProvider timeProvider, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(redactor);
        Configuration = configuration;
        _timeProvider = timeProvider;
        _redactor = redactor;
        foreach (var secret in configuration.Secrets)
        {
            redactor.Register(secret);
        }

        Target = configuration.Options.GetTarget();
        redactor.RegisterTargetCredentials(Target);
        DisplayTarget = Target is null ? null : redactor.Redact(Secrets.RedactTarget(Target));
        _logger = loggerFactory.CreateLogger($"Exporters.Collector.{Name}");
        Problems = new ProblemLog(_logger, redactor, timeProvider);
        ConstantLabels = [.. configuration.Options.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)];
        if (Definition.GetUpMetricName(configuration.Options) is { } up)
        {
            _up = new GaugeDefinition(up, $"Whether the {Definition.Name} target answered the last scrape (1) or not (0).");
        }

        HelpSuffix = configuration.Options.MinInterval.IsZero
            ? null
            : $" (may be cached: {Name} is scraped at most every {configuration.Options.MinInterval})";
        Collector = Definition.Create(configuration.Options, new CollectorCreationContext(Name, loggerFactory, timeProvider, redactor.Register));
    }

    /// <summary>The configuration it was created from.</summary>
    public InstanceConfiguration Configuration { get; }

    /// <summary>The instance name.</summary>
    public string Name => Configuration.Name;

    /// <summary>The collector definition.</summary>
    public CollectorDefinition Definition => Configuration.Definition;

    /// <summary>The collector.</summary>
    public ICollector Collector { get; }

    /// <summary>The configured target, or null.</summary>
    public string? Target { get; }

    /// <summary>The configured target with credentials removed, for display.</summary>
    public string? DisplayTarget { get; }

    /// <summary>Labels added to every series.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ConstantLabels { get; }

    /// <summary>Text appended to HELP when results may be cached.</summary>
    public string? HelpSuffix { get; }

    /// <summary>
    /// The last result of a scrape of the configured target, or null before the first. Its batch is kept only when
    /// the <c>min_interval</c> cache may serve it again; otherwise the batch is empty and the rest is a summary.
    /// </summary>
    public ScrapeOutcome? Last { get; private set; }

    /// <summary>The last scrapes of the configured target, for the status page.</summary>
    public ScrapeHistory History { get; } = new();

    /// <summary>Warnings and errors the collector logged lately while scraping the configured target.</summary>
    public ProblemLog Problems { get; }

    /// <summary>Whether a call into the collector is running now, including one abandoned at its deadline.</summary>
    public bool CollectorRunning => _serial.CurrentCount == 0;

    /// <summary>Samples rejected since start.</summary>
    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);

    /// <summary>Series dropped by the cap since start.</summary>
    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    /// <summary>Scrapes run (not counting cache hits and joined scrapes) since start.</summary>
    public long ScrapesTotal => Interlocked.Read(ref _scrapesTotal);

    /// <summary>Scrapes that failed since start.</summary>
    public long FailuresTotal => Interlocked.Read(ref _failuresTotal);

    /// <summary>
    /// Scrapes the configured target, or <paramref name="probeTarget"/>, finishing within <paramref name="budget"/>.
    /// Joins a scrape of the same target already in flight instead of starting another.
    /// </summary>
    /// <param name="budget">Time allowed, already capped by the instance's timeout.</param>
    /// <param name="probeTarget">A target from <c>/probe</c>, or null.</param>
    /// <param name="probeParameters">The probe request's other parameters, or null.</param>
    /// <param name="aborted">Cancelled when the HTTP request goes away.</param>
    /// <returns>The outcome; never throws for collector problems.</returns>
    public async Task<ScrapeOutcome> ScrapeAsync(TimeSpan budget, string? probeTarget, CancellationToken aborted, IReadOnlyDictionary<string, string>? probeParameters = null)
    {
        var now = _timeProvider.GetUtcNow();
        var minInterval = Configuration.Options.MinInterval.Value;
        if (probeTarget is null && minInterval > TimeSpan.Zero && Last is { Success: true } last && now - last.Finished < minInterval)
        {
            History.CountCacheHit();
            return last with { FromCache = true };
        }

        // Probes with different parameters are different scrapes; only identical ones share a fetch.
        var key = probeParameters is not { Count: > 0 }
            ? probeTarget ?? string.Empty
            : string.Join('\n', probeParameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}").Prepend(probeTarget ?? string.Empty));
        Task<ScrapeOutcome> task;
        var joined = false;
        lock (_gate)
        {
            if (Configuration.Options.SingleFlight && _inFlight.TryGetValue(key, out var running) && running.Deadline > now)
            {
                task = running.Task;
                joined = true;
            }
            else if (!Configuration.Options.SingleFlight)
            {
                task = RunAsync(budget, now + budget, probeTarget, probeParameters);
            }
            else
            {
                var deadline = now + budget;
                task = RunAsync(budget, deadline, probeTarget, probeParameters);
                _inFlight[key] = new InFlight(task, deadline);
                _ = task.ContinueWith(
                    completed =>
                    {
                        lock (_gate)
                        {
                            if (_inFlight.TryGetValue(key, out var current) && current.Task == completed)
                            {
                                _inFlight.Remove(key);
                            }
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }

        // A scrape this request started ends by its own deadline; one it joined may have been started with a longer
        // budget, so this request waits no longer than its own.
        if (!joined)
        {
            return await task.WaitAsync(aborted);
        }

        try
        {
            return await task.WaitAsync(budget, _timeProvider, aborted);
        }
        catch (TimeoutException)
        {
            return Failure(budget, probeTarget, $"timed out after {budget.TotalSeconds:0.###}s waiting for a concurrent scrape of the same target");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _serial.Dispose();
        switch (Collector)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private async Task<ScrapeOutcome> RunAsync(TimeSpan budget, DateTimeOffset deadline, string? probeTarget, IReadOnlyDictionary<string, string>? probeParameters)
    {
        var started = _timeProvider.GetTimestamp();
        using var cts = new CancellationTokenSource(budget, _timeProvider);
        var reserve = ScrapeContext.ReserveFor(budget);
        using var fetch = new CancellationTokenSource(budget - reserve, _timeProvider);
        using var fetchOrDeadline = CancellationTokenSource.CreateLinkedTokenSource(fetch.Token, cts.Token);
        var writer = new MetricWriter(Configuration.Options.MaxSeries, _lastFamilyCount);
        var context = new ScrapeContext
        {
            CollectorName = Name,
            Target = probeTarget ?? Target,
            IsProbe = probeTarget is not null,
            ProbeParameters = probeParameters ?? NoParameters,
            Deadline = deadline,
            CancellationToken = cts.Token,
            FetchDeadline = deadline - reserve,
            FetchCancellationToken = fetchOrDeadline.Token,
            Logger = probeTarget is null ? Problems : _logger,
            TimeProvider = _timeProvider,
        };

        // The contract promises a collector one call at a time. The gate opens when the collector's task really
        // ends, not when its deadline passes, so a collector that ignores cancellation fails later scrapes instead
        // of running twice.
        if (!await EnterAsync(cts.Token))
        {
            Interlocked.Increment(ref _failuresTotal);
            var busy = Failure(_timeProvider.GetElapsedTime(started), probeTarget, "the previous scrape of this collector has not finished");
            LogFailure(busy);
            return Record(busy, probeTarget);
        }

        Interlocked.Increment(ref _scrapesTotal);
        var remaining = budget - _timeProvider.GetElapsedTime(started);
        if (remaining <= TimeSpan.Zero)
        {
            remaining = TimeSpan.FromMilliseconds(1);
        }

        // Task.Run so a collector that blocks synchronously still cannot hold the response past its deadline.
        var collect = Task.Run(() => Collector.CollectAsync(context, writer), CancellationToken.None);
        _ = collect.ContinueWith(_ => ReleaseGate(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        string? error = null;
        try
        {
            await collect.WaitAsync(remaining, _timeProvider);
        }
        catch (TimeoutException)
        {
            error = $"deadline of {budget.TotalSeconds:0.###}s exceeded";
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            error = $"deadline of {budget.TotalSeconds:0.###}s exceeded";
        }
#pragma warning disable CA1031 // A collector's failure of any kind must not break the scrape of the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = Describe(e);
        }

        if (error is not null)
        {
            await cts.CancelAsync();
            ObserveLater(collect);
            Interlocked.Increment(ref _failuresTotal);
            var failed = Failure(_timeProvider.GetElapsedTime(started), probeTarget, error);
            LogFailure(failed);
            return Record(failed, probeTarget);
        }

        // The collector has returned: its batch is final, so the duplicate-series tables can go before rendering.
        writer.TrimExcess();
        Interlocked.Add(ref _rejectedTotal, writer.RejectedSamples);
        Interlocked.Add(ref _droppedTotal, writer.DroppedSeries);
        if (writer.RejectedSamples > 0 && writer.LastRejection != _lastLoggedRejection)
        {
            _lastLoggedRejection = writer.LastRejection;
            LogRejected(_logger, Name, writer.RejectedSamples, writer.LastRejection ?? string.Empty);
        }

        if (writer.DroppedSeries > 0)
        {
            LogDropped(_logger, Name, writer.DroppedSeries, Configuration.Options.MaxSeries);
        }

        _lastFamilyCount = writer.Batch.Families.Count;
        MetricBatch? hostBatch = null;
        double? targetUp = null;
        if (_up is not null)
        {
            var written = writer.Batch.Families.FirstOrDefault(f => f.Definition.Name == _up.Name);
            if (written is null)
            {
                var upWriter = new MetricWriter();
                upWriter.Write(_up, 1);
                hostBatch = upWriter.Batch;
                targetUp = 1;
            }
            else if (written.SeriesCount > 0 && written.GetPayload(0) is [var value])
            {
                targetUp = value;
            }
        }

        var outcome = new ScrapeOutcome
        {
            Batch = writer.Batch,
            HostBatch = hostBatch,
            Success = true,
            Duration = _timeProvider.GetElapsedTime(started),
            Finished = _timeProvider.GetUtcNow(),
            Rejected = writer.RejectedSamples,
            Dropped = writer.DroppedSeries,
            Target = DisplayOf(probeTarget),
            TargetUp = targetUp,
        };
        if (_lastLoggedError is not null && probeTarget is null)
        {
            LogRecovered(_logger, Name);
            _lastLoggedError = null;
        }

        return Record(outcome, probeTarget);
    }

    private async Task<bool> EnterAsync(CancellationToken deadline)
    {
        try
        {
            await _serial.WaitAsync(deadline);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return false;
        }
    }

    private void ReleaseGate()
    {
        try
        {
            _serial.Release();
        }
        catch (ObjectDisposedException)
        {
            // The instance was retired by a reload while a collector it had abandoned was still running.
        }
    }

    private ScrapeOutcome Record(ScrapeOutcome outcome, string? probeTarget)
    {
        if (probeTarget is null)
        {
            History.Add(outcome);

            // Only the min_interval cache serves a past batch again; the status page needs the outcome's summary.
            // Keeping a large batch (hundreds of thousands of series) alive until the next scrape would double the
            // memory that scrape peaks at.
            Last = Configuration.Options.MinInterval.Value > TimeSpan.Zero && outcome.Success
                ? outcome
                : outcome with { Batch = EmptyBatch, HostBatch = null };
        }

        return outcome;
    }

    private ScrapeOutcome Failure(TimeSpan duration, string? probeTarget, string error)
    {
        var writer = new MetricWriter();
        if (_up is not null)
        {
            writer.Write(_up, 0);
        }

        return new ScrapeOutcome
        {
            Batch = writer.Batch,
            Success = false,
            Duration = duration,
            Finished = _timeProvider.GetUtcNow(),
            Error = error,
            Target = DisplayOf(probeTarget),
            TargetUp = _up is null ? null : 0,
        };
    }

    private string? DisplayOf(string? probeTarget) =>
        probeTarget is null ? DisplayTarget : _redactor.Redact(Secrets.RedactTarget(probeTarget));

    private string Describe(Exception e)
    {
        var message = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
        message = _redactor.Redact(message);
        return message.Length > MaxErrorLength ? message[..MaxErrorLength] + "..." : message;
    }

    private void LogFailure(ScrapeOutcome outcome)
    {
        // Repeating the same error every scrape floods the log; say it again when it changes or once a minute.
        var now = _timeProvider.GetUtcNow();
        if (outcome.Error == _lastLoggedError && now - _lastLoggedErrorAt < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastLoggedError = outcome.Error;
        _lastLoggedErrorAt = now;
        LogScrapeFailed(_logger, Name, outcome.Target ?? "-", outcome.Error ?? string.Empty);
    }

    private static void ObserveLater(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scrape of {Collector} failed (target {Target}): {Error}")]
    private static partial void LogScrapeFailed(ILogger logger, string collector, string target, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "scrape of {Collector} succeeded again")]
    private static partial void LogRecovered(ILogger logger, string collector);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Collector} wrote {Rejected} invalid samples; they were dropped: {Reason}")]
    private static partial void LogRejected(ILogger logger, string collector, int rejected, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Collector} reached its series cap ({MaxSeries}); {Dropped} series dropped")]
    private static partial void LogDropped(ILogger logger, string collector, int dropped, int maxSeries);

    private readonly record struct InFlight(Task<ScrapeOutcome> Task, DateTimeOffset Deadline);
}
