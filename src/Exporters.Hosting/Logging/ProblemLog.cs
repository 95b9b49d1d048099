namespace Exporters.Hosting.Logging;

/// <summary>A warning or error a collector logged, as the log line's message says it, secrets removed.</summary>
/// <param name="Time">When it was logged.</param>
/// <param name="Level">Its level.</param>
/// <param name="Message">The message.</param>
internal sealed record LoggedProblem(DateTimeOffset Time, LogLevel Level, string Message);

/// <summary>
/// A logger that passes everything on and also keeps the last warnings and errors, so the status page can say why a
/// target is down in the collector's own words. A collector that finds its target unreachable writes its up metric 0,
/// logs the reason and returns normally; the scrape itself succeeded, so the reason exists only in the log. Problems
/// are kept whatever <c>--log.level</c> lets through.
/// </summary>
internal sealed class ProblemLog : ILogger
{
    /// <summary>How many problems are kept.</summary>
    public const int Capacity = 5;

    /// <summary>The longest message kept; longer ones are cut.</summary>
    public const int MaxMessageLength = 600;

    private readonly ILogger _inner;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly object _gate = new();
    private readonly Queue<LoggedProblem> _problems = new(Capacity);

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The logger everything is passed on to.</param>
    /// <param name="redactor">Scrubs secrets from kept messages.</param>
    /// <param name="timeProvider">The clock.</param>
    public ProblemLog(ILogger inner, SecretRedactor redactor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _inner = inner;
        _redactor = redactor;
        _timeProvider = timeProvider;
    }

    /// <summary>The last problems logged, oldest first.</summary>
    /// <returns>A copy.</returns>
    public LoggedProblem[] Recent()
    {
        lock (_gate)
        {
            return [.. _problems];
        }
    }

    /// <summary>The last problem logged, or null.</summary>
    public LoggedProblem? Last
    {
        get
        {
            lock (_gate)
            {
                return _problems.Count == 0 ? null : _problems.Last();
            }
        }
    }

    /// <inheritdoc/>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    /// <inheritdoc/>
    public bool IsEnabled(LogLevel logLevel) => IsProblem(logLevel) || _inner.IsEnabled(logLevel);

    /// <inheritdoc/>
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsProblem(logLevel))
        {
            var message = _redactor.Redact(formatter(state, exception));
            if (exception is not null && _redactor.Redact(exception.Message) is { Length: > 0 } reason && !message.Contains(reason, StringComparison.Ordinal))
            {
                message += ": " + reason;
            }

            if (message.Length > MaxMessageLength)
            {
                message = message[..MaxMessageLength] + "...";
            }

            lock (_gate)
            {
                if (_problems.Count == Capacity)
                {
                    _problems.Dequeue();
                }

                _problems.Enqueue(new LoggedProblem(_timeProvider.GetUtcNow(), logLevel, message));
            }
        }

        if (_inner.IsEnabled(logLevel))
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    private static bool IsProblem(LogLevel level) => level is >= LogLevel.Warning and < LogLevel.None;
}
