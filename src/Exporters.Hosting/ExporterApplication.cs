using System.Net;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;
using Exporters.Hosting.Security;
using Exporters.Hosting.SelfMetrics;
using Exporters.Hosting.Web;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;

namespace Exporters.Hosting;

/// <summary>
/// An exporter built from its collectors and configuration: Kestrel with <c>/metrics</c>, <c>/probe</c>, the
/// status page, health endpoints and reload, ready to start.
/// </summary>
/// <example>
/// A <c>Program.cs</c> composing two collectors:
/// <code>
/// var builder = ExporterApplication.CreateBuilder(args);
/// builder.AddRedis();
/// builder.AddMemcached();
/// return await builder.RunAsync();
/// </code>
/// </example>
public sealed partial class ExporterApplication : IAsyncDisposable
{
    /// <summary>Exit code for invalid flags or configuration.</summary>
    public const int ConfigurationErrorExitCode = 2;

    private readonly WebApplication? _app;

    private ExporterApplication(WebApplication? app, string? output, IReadOnlyList<string> listenAddresses)
    {
        _app = app;
        Output = output;
        ListenAddresses = listenAddresses;
    }

    /// <summary>
    /// The text to print instead of serving, when the flags asked for <c>--help</c> or <c>--version</c>; otherwise
    /// <see langword="null"/>.
    /// </summary>
    public string? Output { get; }

    /// <summary>The addresses the exporter listens on, as configured (<c>host:port</c> or <c>:port</c>).</summary>
    public IReadOnlyList<string> ListenAddresses { get; }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => App.Services;

    private WebApplication App => _app ?? throw new InvalidOperationException("the flags asked for --help or --version: there is nothing to start; print Output instead");

    /// <summary>Creates a builder with the process' command-line arguments and environment, and no collectors yet.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <returns>The builder.</returns>
    public static ExporterApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>Starts listening and scraping; returns once the listeners are up.</summary>
    /// <param name="cancellationToken">Abandons start-up.</param>
    /// <returns>A task.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => App.StartAsync(cancellationToken);

    /// <summary>Stops listening, lets running scrapes finish for a few seconds, and closes the collectors.</summary>
    /// <param name="cancellationToken">Makes the stop less graceful.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => App.StopAsync(cancellationToken);

    /// <summary>Runs until the process is asked to stop (SIGTERM, Ctrl+C) or <paramref name="cancellationToken"/> is cancelled; prints <see cref="Output"/> instead when there is any.</summary>
    /// <param name="cancellationToken">Stops the application.</param>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Output is { } output)
        {
            await Console.Out.WriteAsync(output);
            return 0;
        }

        await App.RunAsync(cancellationToken);
        return 0;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    internal static async Task ReportAsync(ConfigurationException e)
    {
        foreach (var problem in e.Problems)
        {
            await Console.Error.WriteLineAsync("error: " + SecretRedactor.Shared.Redact(problem));
        }
    }

    internal static ExporterApplication Create(ExporterApplicationBuilder builder)
    {
        var environment = builder.Environment.ToDictionary(StringComparer.Ordinal);
        var registry = builder.Registry;
        var args = builder.Args;

        // Plugins declare flags of their own, so the plugins directory is known before the other flags are parsed.
        if (PluginsDirectory(args, environment) is { } plugins)
        {
            if (builder.PluginLoading is not { } load)
            {
                throw new ConfigurationException(
                    $"--plugins.dir: this build of {builder.ProgramName} has its collectors compiled in and cannot load plugin assemblies; "
                    + "use the JIT flavour (scripts/publish --jit, the Dockerfile's 'jit' target), or compose your collector into your own build "
                    + "(docs/writing-a-collector.md)");
            }

            load(plugins, registry);
        }

        var profile = builder.Profiles.GetValueOrDefault(builder.ProgramName);
        foreach (var collector in profile?.Collectors ?? [])
        {
            _ = registry.Find(collector) ?? throw new InvalidOperationException($"the {profile!.ProgramName} profile names the collector '{collector}', which is not registered");
        }

        var action = CommandLine.Parse(args, environment, registry, profile, out var settings);
        switch (action)
        {
            case CommandLineAction.Help:
                return new ExporterApplication(null, CommandLine.Help(registry, builder.ProgramName, profile), []);
            case CommandLineAction.Version:
                return new ExporterApplication(null, $"{builder.ProgramName} version {BuildInfo.Version} (revision {BuildInfo.Revision}, .NET {BuildInfo.DotnetVersion})\n", []);
        }

        if (settings.BasicAuthPassword is { Length: > 0 } basicAuthPassword)
        {
            SecretRedactor.Shared.Register(basicAuthPassword);
        }

        var configuration = ExporterConfiguration.Load(settings, registry, environment);
        var web = WebFlags.Apply(WebConfigLoader.Load(settings.WebConfigFile), settings);
        ProcessMetrics.Start();

        // The empty builder: no appsettings files (whose change watcher would walk the whole working directory at
        // start-up), no configuration from the environment, only the server and routing the endpoints need.
        var webBuilder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [], ApplicationName = builder.ProgramName, ContentRootPath = AppContext.BaseDirectory });
        webBuilder.WebHost.UseKestrelCore();
        webBuilder.Services.AddRoutingCore();
        ConfigureLogging(webBuilder.Logging, settings);
        webBuilder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        webBuilder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            WebSecurity.ApplyLimits(kestrel, settings);
            var tls = web.Tls is null ? null : new TlsSetup(web.Tls, web.Http.Http2, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Exporters.Hosting.Security"));
            web = web with { Warnings = [.. web.Warnings, .. tls?.Warnings ?? []] };
            Action<ListenOptions> listen = options =>
            {
                if (tls is not null)
                {
                    tls.Apply(options);
                }
                else if (!web.Http.Http2)
                {
                    options.Protocols = HttpProtocols.Http1;
                }
            };
            foreach (var address in settings.EffectiveListenAddresses)
            {
                _ = CommandLine.TryParseListenAddress(address, out var host, out var port);
                if (host is null)
                {
                    kestrel.ListenAnyIP(port, listen);
                }
                else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                {
                    kestrel.ListenLocalhost(port, listen);
                }
                else if (IPAddress.TryParse(host, out var ip))
                {
                    kestrel.Listen(ip, port, listen);
                }
                else
                {
                    throw new ConfigurationException($"--web.listen-address: '{address}': use an IP address, localhost, or :port for all interfaces");
                }
            }
        });

        var redactor = SecretRedactor.Shared;
        var services = webBuilder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(registry);
        services.AddSingleton(redactor);
        services.AddSingleton(builder.TimeProvider);
        services.AddSingleton<Readiness>();
        services.AddSingleton(provider => new RuntimeManager(configuration, settings, registry, environment, provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<TimeProvider>(), redactor));
        services.AddSingleton<ScrapeCoordinator>();
        services.AddHostedService<ConfigFileWatcher>();
        services.AddSingleton<ScrapeActivity>();
        services.AddSingleton<MemoryReleaser>();
        services.AddHostedService(provider => provider.GetRequiredService<MemoryReleaser>());

        var app = webBuilder.Build();
        var readiness = app.Services.GetRequiredService<Readiness>();
        var lifetime = app.Lifetime;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Exporters.Hosting");
        var programName = builder.ProgramName;
        lifetime.ApplicationStarted.Register(() =>
        {
            readiness.IsReady = true;
            var runtime = app.Services.GetRequiredService<RuntimeManager>().Current;
            LogStarted(logger, programName, BuildInfo.Version, string.Join(",", settings.EffectiveListenAddresses), string.Join(",", runtime.Instances.Select(i => i.Name)));
            foreach (var warning in web.Warnings)
            {
                LogWebConfigWarning(logger, warning);
            }

            foreach (var warning in settings.Warnings)
            {
                LogCommandLineWarning(logger, redactor.Redact(warning));
            }
        });
        lifetime.ApplicationStopping.Register(() => readiness.IsReady = false);
        lifetime.ApplicationStopped.Register(() => app.Services.GetRequiredService<RuntimeManager>().DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2)));

        // Collectors are created now, not on the first scrape, so a broken collector fails start-up.
        _ = app.Services.GetRequiredService<RuntimeManager>();
        app.UseWebSecurity(web, settings);
        app.MapExporterEndpoints(settings);
        return new ExporterApplication(app, null, settings.EffectiveListenAddresses);
    }

    private static string? PluginsDirectory(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        string? directory = environment.GetValueOrDefault("EXPORTERS_PLUGINS_DIR");
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--plugins.dir=", StringComparison.Ordinal))
            {
                directory = args[i]["--plugins.dir=".Length..];
            }
            else if (args[i] == "--plugins.dir" && i + 1 < args.Count)
            {
                directory = args[i + 1];
            }
        }

        return string.IsNullOrEmpty(directory) ? null : directory;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, HostSettings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.LogLevel);
        logging.AddFilter("Microsoft", settings.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // Request logs carry the query string, and /probe's target may hold credentials: never log them.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Warning);
        logging.AddConsole(options =>
        {
            options.FormatterName = settings.LogFormat == "json" ? "jsonl" : "logfmt";
            options.LogToStandardErrorThreshold = settings.LogOutput == "stdout" ? LogLevel.None : LogLevel.Trace;
        });
        AddFormatters(logging);
    }

    // AddConsoleFormatter would also bind formatter options from configuration, which needs reflection; these
    // formatters have no options, so registering them is all the console logger needs.
    private static void AddFormatters(ILoggingBuilder logging)
    {
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, LogfmtFormatter>());
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, JsonLineFormatter>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Program} {Version} listening on {Addresses} with collectors [{Collectors}]")]
    private static partial void LogStarted(ILogger logger, string program, string version, string addresses, string collectors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "--web.config.file: {Warning}")]
    private static partial void LogWebConfigWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogCommandLineWarning(ILogger logger, string warning);
}
