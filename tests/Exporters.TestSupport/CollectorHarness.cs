using System.Buffers;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Configuration;
using Exporters.Abstractions.Metrics;
using Exporters.Exposition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Exporters.TestSupport;

/// <summary>
/// Runs one collector the way the host does (options bound and validated by the host's binder, a deadline, a
/// logger), without starting the host. For collector tests.
/// </summary>
public sealed class CollectorHarness : IAsyncDisposable
{
    private CollectorHarness(ICollector collector, CollectorOptions options, TestLogger logger, TimeProvider timeProvider)
    {
        Collector = collector;
        Options = options;
        Logger = logger;
        TimeProvider = timeProvider;
    }

    /// <summary>The clock the collector was given.</summary>
    public TimeProvider TimeProvider { get; }

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
    /// <param name="instanceName">The instance name.</param>
    /// <param name="timeProvider">The clock the collector is given (the system clock by default).</param>
    /// <returns>The harness.</returns>
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
        return new CollectorHarness(collector, options, logger, time);
    }

    /// <summary>Binds and validates options, returning the errors instead of throwing.</summary>
    /// <param name="definition">The collector definition.</param>
    /// <param name="settings">Option values.</param>
    /// <param name="instanceName">The instance name.</param>
    /// <returns>The options and the errors.</returns>
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

    /// <summary>Runs one scrape against the configured target (or <paramref name="target"/>).</summary>
    /// <param name="timeout">The deadline from now (default: the options' timeout).</param>
    /// <param name="target">A target overriding the configured one, as <c>/probe</c> gives.</param>
    /// <param name="probeParameters">The probe's other query parameters (with <paramref name="target"/> only).</param>
    /// <returns>The batch the collector wrote and the writer (for rejected and dropped counts).</returns>
    public async Task<MetricWriter> ScrapeAsync(TimeSpan? timeout = null, string? target = null, IReadOnlyDictionary<string, string>? probeParameters = null)
    {
        var limit = timeout ?? Options.Timeout.Value;
        using var cts = new CancellationTokenSource(limit);
        var writer = new MetricWriter(Options.MaxSeries);
        var context = new ScrapeContext
        {
            CollectorName = "test",
            Target = target ?? Options.GetTarget(),
            IsProbe = target is not null,
            ProbeParameters = probeParameters ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Deadline = TimeProvider.GetUtcNow() + limit,
            CancellationToken = cts.Token,
            Logger = Logger,
            TimeProvider = TimeProvider,
        };
        await Collector.CollectAsync(context, writer).WaitAsync(limit + TimeSpan.FromSeconds(1));
        return writer;
    }

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
