using Microsoft.Extensions.Logging;

namespace Exporters.Abstractions;

/// <summary>What a collector is given when the host creates an instance of it.</summary>
public sealed class CollectorCreationContext
{
    private readonly Action<string> _registerSecret;

    /// <summary>Creates a context.</summary>
    /// <param name="instanceName">The instance name (its configuration key).</param>
    /// <param name="loggerFactory">Logger factory.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="registerSecret">Called with secret values the host must scrub from its output.</param>
    public CollectorCreationContext(string instanceName, ILoggerFactory loggerFactory, TimeProvider timeProvider, Action<string>? registerSecret = null)
    {
        InstanceName = instanceName;
        LoggerFactory = loggerFactory;
        TimeProvider = timeProvider;
        _registerSecret = registerSecret ?? (static _ => { });
    }

    /// <summary>The instance name (its configuration key).</summary>
    public string InstanceName { get; }

    /// <summary>Logger factory for long-lived loggers (per-scrape logging uses <see cref="ScrapeContext.Logger"/>).</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Tells the host about a secret the collector obtained itself (read from a file, say), so the host scrubs it from
    /// logs, errors and pages. Values of <see cref="SecretAttribute"/> properties are registered automatically.
    /// </summary>
    /// <param name="secret">The secret value.</param>
    public void RegisterSecret(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            _registerSecret(secret);
        }
    }
}
