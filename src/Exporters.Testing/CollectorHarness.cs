using System.Buffers;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Configuration;
using Exporters.Abstractions.Metrics;
using Exporters.Exposition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exporters.Testing;

/// <summary>
/// Runs one collector the way the host does, without starting the host: options bound by the generated binder and
/// validated with the host's rules, a deadline with the fetch reserve, a logger that keeps every line, and the clock of
/// your choice (a <c>FakeTimeProvider</c>, say). For a collector's own tests.
/// </summary>
/// <example>
/// <code>
/// await using var harness = CollectorHarness.Create(new MemcachedCollectorDefinition(), new Dictionary&lt;string, string?&gt; { ["address"] = "127.0.0.1:11211" });
/// await harness.CollectAndCompareAsync("""
///     # HELP memcached_up Whether memcached answered.
///     # TYPE memcached_up gauge
///     memcached_up 1
///     """, "memcached_up");
/// </code>
/// </example>
public sealed class CollectorHarness : IAsyncDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly string _instanceName;

    private CollectorHarness(ICollector collector, CollectorOptions options, TestLogger logger, TimeProvider timeProvider, string instanceName)
    {
        Collector = collector;
        Options = options;
        Logger = logger;
        _timeProvider = timeProvider;
        _instanceName = instanceName;
    }

    /// <summary>The collector instance.</summary>
    public ICollector Collector { get; }

    /// <summary>The bound options.</summary>
    public CollectorOptions Options { get; }

    /// <summary>Every line the collector logged, across scrapes.</summary>
    public TestLogger Logger { get; }

    /// <summary>
    /// Binds <paramref name="settings"/> (keys relative to the collector's section, <c>:</c>-separated, for example
    /// <c>address</c> or <c>tls:ca_file</c>) onto the definition's options, validates them and creates the collector.
    /// Throws with every error when the options are invalid.
    /// </summary>
    /// <param name="definition">The collector definition.</param>
    /// <param name="settings">Option values.</param>
    /// <param name="instanceName">The instance name (default: the collector's name).</param>
    /// <param name="timeProvider">The clock the collector and its deadlines use (default: the system clock).</param>
    /// <returns>The harness.</returns>
    /// <exception cref="InvalidOperationException">The options are invalid; the message lists every problem with its key.</exception>
    public static CollectorHarness Create(CollectorDefinition definition, IDictionary<string, string?> settings, string? instanceName = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var (options, errors) = BindOptions(definition, settings, instanceName);
        if (errors.HasErrors)
        {
            throw new InvalidOperationException("invalid options: " + string.Join("; ", errors.Errors.Select(e => $"{e.Key}: {e.Message}")));
        }

        var logger = new TestLogger();
        var name = instanceName ?? definition.Name;
        var time = timeProvider ?? TimeProvider.System;
        var collector = definition.Create(options, new CollectorCreationContext(name, new SingleLoggerFactory(logger), time));
        return new CollectorHarness(collector, options, logger, time, name);
    }

    /// <summary>Binds and validates options the way the host does, returning the errors instead of throwing.</summary>
    /// <param name="definition">The collector definition.</param>
    /// <param name="settings">Option values, keys relative to the collector's section.</param>
    /// <param name="instanceName">The instance name.</param>
    /// <returns>The options and the errors, each naming its key.</returns>
    public static (CollectorOptions Options, OptionErrors Errors) BindOptions(CollectorDefinition definition, IDictionary<string, string?> settings, string? instanceName = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(settings);
        var name = instanceName ?? definition.Name;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"collectors:{name}:{kv.Key}", kv => kv.Value))
            .Build();
        var errors = new OptionErrors();
        var options = definition.CreateOptions();
        OptionsBinding.Bind(options, configuration.GetSection($"collectors:{name}"), errors);
        if (!errors.HasErrors)
        {
            definition.Validate(options, errors);
        }

        return (options, errors);
    }

    /// <summary>Runs one scrape against the configured target (or <paramref name="target"/>, as <c>/probe</c> gives one).</summary>
    /// <param name="timeout">The deadline from now (default: the options' timeout).</param>
    /// <param name="target">A target overriding the configured one, as <c>/probe</c> gives.</param>
    /// <param name="probeParameters">The probe request's other query parameters, or null.</param>
    /// <returns>The writer the collector wrote to: its batch, and its rejected and dropped counts.</returns>
    public async Task<MetricWriter> ScrapeAsync(TimeSpan? timeout = null, string? target = null, IReadOnlyDictionary<string, string>? probeParameters = null)
    {
        var limit = timeout ?? Options.Timeout.Value;
        var reserve = ScrapeContext.ReserveFor(limit);
        using var cts = new CancellationTokenSource(limit, _timeProvider);
        using var fetch = new CancellationTokenSource(limit - reserve, _timeProvider);
        var writer = new MetricWriter(Options.MaxSeries);
        var deadline = _timeProvider.GetUtcNow() + limit;
        var context = new ScrapeContext
        {
            CollectorName = _instanceName,
            Target = target ?? Options.GetTarget(),
            IsProbe = target is not null,
            ProbeParameters = probeParameters ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Deadline = deadline,
            CancellationToken = cts.Token,
            FetchDeadline = deadline - reserve,
            FetchCancellationToken = fetch.Token,
            Logger = Logger,
            TimeProvider = _timeProvider,
        };
        await Collector.CollectAsync(context, writer).WaitAsync(limit + TimeSpan.FromSeconds(1));
        return writer;
    }

    /// <summary>Runs one scrape and renders what the collector wrote.</summary>
    /// <param name="format">The format (the text format by default).</param>
    /// <param name="timeout">The deadline from now (default: the options' timeout).</param>
    /// <returns>The exposition.</returns>
    public async Task<string> CollectAsTextAsync(ExpositionFormat format = ExpositionFormat.Text, TimeSpan? timeout = null) =>
        Render((await ScrapeAsync(timeout)).Batch, format);

    /// <summary>
    /// Runs one scrape and compares the families named in <paramref name="metricNames"/> (all when none are named)
    /// with <paramref name="expected"/>, in the text format: HELP, TYPE and samples, in order, ignoring blank lines and
    /// indentation. The counterpart of client_golang's <c>testutil.CollectAndCompare</c>.
    /// </summary>
    /// <param name="expected">The expected exposition of those families.</param>
    /// <param name="metricNames">Family names to compare.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ExpositionMismatchException">The output differs; the message shows both.</exception>
    public async Task CollectAndCompareAsync(string expected, params string[] metricNames)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var actual = await CollectAsTextAsync();
        ExpositionComparison.AssertEqual(expected, actual, metricNames);
    }

    /// <summary>Runs one scrape and counts the series of the families named (all when none are named), as <c>testutil.CollectAndCount</c>.</summary>
    /// <param name="metricNames">Family names.</param>
    /// <returns>The number of series.</returns>
    public async Task<int> CollectAndCountAsync(params string[] metricNames)
    {
        var writer = await ScrapeAsync();
        return writer.Batch.Families.Where(f => metricNames.Length == 0 || metricNames.Contains(f.Definition.Name, StringComparer.Ordinal)).Sum(f => f.SeriesCount);
    }

    /// <summary>
    /// Runs one scrape, renders it as OpenMetrics and returns every rule the output breaks (empty when it is valid),
    /// as <c>testutil.CollectAndLint</c> does for the text format.
    /// </summary>
    /// <returns>The problems.</returns>
    public async Task<IReadOnlyList<string>> CollectAndLintAsync() =>
        OpenMetricsValidator.Validate(Render((await ScrapeAsync()).Batch, ExpositionFormat.OpenMetrics));

    /// <summary>Renders a batch.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="format">The format (text by default).</param>
    /// <returns>The exposition text.</returns>
    public static string Render(MetricBatch batch, ExpositionFormat format = ExpositionFormat.Text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ExpositionDocument.Create([new ExpositionSource(batch)]).WriteTo(buffer, format);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
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

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}

/// <summary>A logger that keeps every line, for asserting what a collector logged.</summary>
public sealed class TestLogger : ILogger
{
    private readonly List<string> _lines = [];

    /// <summary>The logged lines, as <c>level: message</c>.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <inheritdoc/>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => NullLogger.Instance.BeginScope(state);

    /// <inheritdoc/>
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc/>
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_lines)
        {
            _lines.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.Message)}");
        }
    }
}
