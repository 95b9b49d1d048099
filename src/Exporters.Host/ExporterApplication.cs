using System.Collections;
using System.Net;
using Exporters.Abstractions;
using Exporters.Host.Collectors;
using Exporters.Host.Configuration;
using Exporters.Host.Logging;
using Exporters.Host.Scraping;
using Exporters.Host.Security;
using Exporters.Host.SelfMetrics;
using Exporters.Host.Web;
using Microsoft.Extensions.Logging.Console;

namespace Exporters.Host;

/// <summary>Builds and runs the host: flags, configuration, plugins, Kestrel and the endpoints.</summary>
public static partial class ExporterApplication
{
    /// <summary>Exit code for invalid flags or configuration.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Runs the host until it is stopped.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            var built = Build(args, ReadEnvironment(), additionalCollectors: null);
            if (built.Output is { } output)
            {
                Console.Out.Write(output);
                return 0;
            }

            app = built.App!;
        }
        catch (ConfigurationException e)
        {
            foreach (var problem in e.Problems)
            {
                await Console.Error.WriteLineAsync("error: " + SecretRedactor.Shared.Redact(problem));
            }

            return ConfigurationErrorExitCode;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// Builds the application without starting it. Returns text to print instead when the flags ask for
    /// <c>--help</c> or <c>--version</c>.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="environment">Environment variables.</param>
    /// <param name="additionalCollectors">Collectors to register besides the built-in ones (tests use this).</param>
    /// <returns>The application, or the text to print.</returns>
    /// <exception cref="ConfigurationException">Invalid flags, plugins or configuration.</exception>
    public static (WebApplication? App, string? Output) Build(string[] args, IReadOnlyDictionary<string, string?> environment, IEnumerable<CollectorDefinition>? additionalCollectors)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var registry = new CollectorRegistry();
        foreach (var definition in BuiltInCollectors.Create().Concat(additionalCollectors ?? []))
        {
            registry.Add(definition, "built-in");
        }

        // Plugins declare flags of their own, so the plugins directory is known before the other flags are parsed.
        if (PluginsDirectory(args, environment) is { } plugins)
        {
            PluginLoader.LoadInto(plugins, registry);
        }

        var action = CommandLine.Parse(args, environment, registry, out var settings);
        switch (action)
        {
            case CommandLineAction.Help:
                return (null, CommandLine.Help(registry));
            case CommandLineAction.Version:
                return (null, $"exporters version {BuildInfo.Version} (revision {BuildInfo.Revision}, .NET {BuildInfo.DotnetVersion})\n");
        }

        var configuration = ExporterConfiguration.Load(settings, registry, environment);
        var web = WebConfigLoader.Load(settings.WebConfigFile);
        ProcessMetrics.Start();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "exporters" });
        builder.Configuration.Sources.Clear();
        ConfigureLogging(builder.Logging, settings);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            WebSecurity.ApplyLimits(kestrel, settings);
            var tls = web.Tls is null ? null : new TlsSetup(web.Tls, web.Http.Http2, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Exporters.Host.Security"));
            web = web with { Warnings = [.. web.Warnings, .. tls?.Warnings ?? []] };
            Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> listen = options =>
            {
                if (tls is not null)
                {
                    tls.Apply(options);
                }
                else if (!web.Http.Http2)
                {
                    options.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
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
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(redactor);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddSingleton(provider => new RuntimeManager(configuration, settings, registry, environment, provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<TimeProvider>(), redactor));
        builder.Services.AddSingleton<ScrapeCoordinator>();
        builder.Services.AddHostedService<ConfigFileWatcher>();
        builder.Services.AddSingleton<ScrapeActivity>();
        builder.Services.AddSingleton<MemoryReleaser>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MemoryReleaser>());

        var app = builder.Build();
        var readiness = app.Services.GetRequiredService<Readiness>();
        var lifetime = app.Lifetime;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Exporters.Host");
        lifetime.ApplicationStarted.Register(() =>
        {
            readiness.IsReady = true;
            var runtime = app.Services.GetRequiredService<RuntimeManager>().Current;
            LogStarted(logger, BuildInfo.Version, string.Join(",", settings.EffectiveListenAddresses), string.Join(",", runtime.Instances.Select(i => i.Name)));
            foreach (var warning in web.Warnings)
            {
                LogWebConfigWarning(logger, warning);
            }
        });
        lifetime.ApplicationStopping.Register(() => readiness.IsReady = false);
        lifetime.ApplicationStopped.Register(() => app.Services.GetRequiredService<RuntimeManager>().DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2)));

        // Collectors are created now, not on the first scrape, so a broken collector fails start-up.
        _ = app.Services.GetRequiredService<RuntimeManager>();
        app.UseWebSecurity(web, settings);
        app.MapExporterEndpoints(settings);
        return (app, null);
    }

    /// <summary>The process environment as a dictionary.</summary>
    /// <returns>The variables.</returns>
    public static IReadOnlyDictionary<string, string?> ReadEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => e.Value as string, StringComparer.Ordinal);

    private static string? PluginsDirectory(string[] args, IReadOnlyDictionary<string, string?> environment)
    {
        string? directory = environment.GetValueOrDefault("EXPORTERS_PLUGINS_DIR");
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--plugins.dir=", StringComparison.Ordinal))
            {
                directory = args[i]["--plugins.dir=".Length..];
            }
            else if (args[i] == "--plugins.dir" && i + 1 < args.Length)
            {
                directory = args[i + 1];
            }
        }

        return string.IsNullOrEmpty(directory) ? null : directory;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "ConsoleFormatterOptions is the framework's own options type; the console logger keeps its members.")]
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
            options.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        logging.AddConsoleFormatter<LogfmtFormatter, ConsoleFormatterOptions>();
        logging.AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "exporters {Version} listening on {Addresses} with collectors [{Collectors}]")]
    private static partial void LogStarted(ILogger logger, string version, string addresses, string collectors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "--web.config.file: {Warning}")]
    private static partial void LogWebConfigWarning(ILogger logger, string warning);
}
