using System.Globalization;
using System.Text;
using Exporters.Abstractions;
using Exporters.Hosting.Collectors;

namespace Exporters.Hosting.Configuration;

/// <summary>What the command line asked for.</summary>
internal enum CommandLineAction
{
    /// <summary>Run the host.</summary>
    Run,

    /// <summary>Print the version and exit.</summary>
    Version,

    /// <summary>Print help and exit.</summary>
    Help,
}

/// <summary>
/// Parses flags in the form every Prometheus exporter uses (<c>--name=value</c>, <c>--name value</c>, <c>--switch</c>,
/// <c>--no-switch</c>). Each host flag has an environment variable; flags win over environment variables.
/// Collector flags (for example <c>--redis.addr</c>) set options of the collector's default instance.
/// </summary>
internal static class CommandLine
{
    private static readonly HostFlag[] HostFlags =
    [
        new("web.listen-address", "EXPORTERS_WEB_LISTEN_ADDRESS", $"Address to listen on, host:port or :port; repeatable (default :{HostSettings.DefaultPort}, or the drop-in profile's).", (s, v) => s.ListenAddresses.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))),
        new("web.telemetry-path", "EXPORTERS_WEB_TELEMETRY_PATH", "Path of the metrics endpoint (default /metrics).", (s, v) => s.TelemetryPath = v.StartsWith('/') ? v.TrimEnd('/') : throw new FormatException("must start with '/'")),
        new("web.config.file", "EXPORTERS_WEB_CONFIG_FILE", "Web config file in the exporter-toolkit format: tls_server_config, http_server_config, basic_auth_users.", (s, v) => s.WebConfigFile = v),
        new("web.max-requests", "EXPORTERS_WEB_MAX_REQUESTS", "Most scrapes served at once; more are answered 429; 0 for no limit (default 40).", (s, v) => s.MaxRequests = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException("must be a whole number, 0 or more")),
        new("web.read-header-timeout", "EXPORTERS_WEB_READ_HEADER_TIMEOUT", "Time a client may take to send request headers (default 10s).", (s, v) => s.ReadHeaderTimeout = Duration.Parse(v) is { IsZero: false } d ? d : throw new FormatException("must be above zero")),
        new("config.file", "EXPORTERS_CONFIG_FILE", "YAML configuration file; reloaded when it changes and on POST /-/reload.", (s, v) => s.ConfigFile = v),
        new("plugins.dir", "EXPORTERS_PLUGINS_DIR", "Directory of plugin collectors (*.dll, or <name>/<name>.dll with dependencies).", (s, v) => s.PluginsDirectory = v),
        new("log.level", "EXPORTERS_LOG_LEVEL", "Minimum log level: debug, info, warn or error (default info).", (s, v) => s.LogLevel = ParseLevel(v)),
        new("log.format", "EXPORTERS_LOG_FORMAT", "Log format: logfmt or json (default logfmt).", (s, v) => s.LogFormat = v is "logfmt" or "json" ? v : throw new FormatException("must be logfmt or json")),
        new("log.output", "EXPORTERS_LOG_OUTPUT", "Where logs go: stderr or stdout (default stderr).", (s, v) => s.LogOutput = v.ToLowerInvariant() is "stderr" or "stdout" ? v.ToLowerInvariant() : throw new FormatException("must be stderr or stdout")),
        new("scrape.timeout-margin", "EXPORTERS_SCRAPE_TIMEOUT_MARGIN", "Kept back from Prometheus' scrape timeout for rendering and the network (default 500ms).", (s, v) => s.ScrapeTimeoutMargin = Duration.Parse(v)),
        new("config.check-interval", "EXPORTERS_CONFIG_CHECK_INTERVAL", "How often the configuration file is checked for changes (default 10s).", (s, v) => s.ConfigCheckInterval = Duration.Parse(v)),
        new("web.disable-exporter-metrics", "EXPORTERS_WEB_DISABLE_EXPORTER_METRICS", "Leave out the process and .NET runtime families (the exporter's own), keeping the collectors' and exporter_collector_*.", (s, v) => s.DisableExporterMetrics = bool.TryParse(v, out var b) ? b : throw new FormatException("must be true or false"), IsSwitch: true),
        new("web.tls.cert-file", "EXPORTERS_WEB_TLS_CERT_FILE", "Serve HTTPS with this certificate (PEM), instead of a tls_server_config in --web.config.file.", (s, v) => s.WebTlsCertFile = v),
        new("web.tls.key-file", "EXPORTERS_WEB_TLS_KEY_FILE", "The private key (PEM) of --web.tls.cert-file.", (s, v) => s.WebTlsKeyFile = v),
        new("web.tls.client-ca-file", "EXPORTERS_WEB_TLS_CLIENT_CA_FILE", "Require client certificates that chain to these CA certificates (PEM).", (s, v) => s.WebTlsClientCaFile = v),
        new("web.tls.min-version", "EXPORTERS_WEB_TLS_MIN_VERSION", "Lowest TLS version served with --web.tls.cert-file: TLS10, TLS11, TLS12 or TLS13 (TLS1.2 spellings too; default TLS12).", (s, v) => s.WebTlsMinVersion = v),
        new("web.basic-auth.username", "EXPORTERS_WEB_BASIC_AUTH_USERNAME", "Require basic auth with this user name (with --web.basic-auth.password or --web.basic-auth.password-hash), instead of basic_auth_users in --web.config.file.", (s, v) => s.BasicAuthUsername = v),
        new("web.basic-auth.password", "EXPORTERS_WEB_BASIC_AUTH_PASSWORD", "The basic-auth password in clear; prefer --web.basic-auth.password-hash.", (s, v) => s.BasicAuthPassword = v),
        new("web.basic-auth.password-hash", "EXPORTERS_WEB_BASIC_AUTH_PASSWORD_HASH", "The basic-auth password as a bcrypt hash.", (s, v) => s.BasicAuthPasswordHash = v),
        new("probe.allowed-targets", "EXPORTERS_PROBE_ALLOWED_TARGETS", "Comma-separated host:port patterns (* matches any run of characters) that /probe may reach; setting it enables /probe, as probe.enabled and probe.allowed_targets in the file do.", (s, v) => s.ProbeAllowedTargets = [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]),
        new("memory.release-interval", "EXPORTERS_MEMORY_RELEASE_INTERVAL", "Most often that memory left committed by scrapes is returned to the system while no scrape runs; 0 turns it off (default 30s).", (s, v) => s.MemoryReleaseInterval = Duration.Parse(v)),
    ];

    /// <summary>Parses <paramref name="args"/> and the environment with the host's own conventions.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="environment">Environment variables.</param>
    /// <param name="registry">Known collectors (their flags are accepted too).</param>
    /// <param name="settings">The parsed settings.</param>
    /// <returns>The action requested.</returns>
    /// <exception cref="ConfigurationException">A flag is unknown or its value invalid; the message names it.</exception>
    public static CommandLineAction Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, CollectorRegistry registry, out HostSettings settings) =>
        Parse(args, environment, registry, profile: null, out settings);

    /// <summary>Parses <paramref name="args"/> and the environment, with a drop-in profile's conventions when one is given.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="environment">Environment variables.</param>
    /// <param name="registry">Known collectors (their flags are accepted too).</param>
    /// <param name="profile">The profile the program name selected, or null.</param>
    /// <param name="settings">The parsed settings.</param>
    /// <returns>The action requested.</returns>
    /// <exception cref="ConfigurationException">A flag is unknown or its value invalid; the message names it.</exception>
    public static CommandLineAction Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, CollectorRegistry registry, ExporterProfile? profile, out HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(registry);
        settings = new HostSettings { Profile = profile };
        var errors = new List<string>();
        var collectorFlags = CollectorFlags(registry, profile);
        var aliases = (profile?.HostFlags ?? []).ToDictionary(a => a.Name, StringComparer.Ordinal);
        var ignored = (profile?.IgnoredFlags ?? []).ToDictionary(f => f.Name, StringComparer.Ordinal);
        var readVariables = new HashSet<string>(StringComparer.Ordinal);

        // A profile's collectors run without any flag, as the exporter they replace scrapes its default target;
        // every other source (file, environment, flags) overrides this.
        foreach (var collector in profile?.Collectors ?? [])
        {
            settings.CollectorDefaults[$"collectors:{collector}:enabled"] = "true";
        }

        // Environment first, flags after, so flags win.
        foreach (var flag in HostFlags)
        {
            readVariables.Add(flag.EnvironmentVariable);
            if (environment.TryGetValue(flag.EnvironmentVariable, out var value) && !string.IsNullOrEmpty(value))
            {
                Apply(flag, value, settings, errors, flag.EnvironmentVariable);
            }
        }

        foreach (var alias in aliases.Values)
        {
            if (alias.EnvironmentVariable is not { } variable)
            {
                continue;
            }

            readVariables.Add(variable);
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                ApplyAlias(alias, value, settings, errors, variable, fromEnvironment: true, profile);
            }
        }

        foreach (var flag in ignored.Values)
        {
            if (flag.EnvironmentVariable is not { } variable)
            {
                continue;
            }

            readVariables.Add(variable);
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value) && !(flag.IsSwitch && TryParseSwitch(value, profile, out var on) && !on))
            {
                settings.Warnings.Add($"{variable} is accepted for compatibility and has no effect: {flag.Reason}");
            }
        }

        foreach (var (flag, definition) in collectorFlags.Values)
        {
            if (flag.EnvironmentVariable is not { } variable)
            {
                continue;
            }

            readVariables.Add(variable);
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                if (flag.IsSwitch)
                {
                    if (!TryParseSwitch(value, profile, out var on))
                    {
                        errors.Add($"{variable}: '{value}' is not true or false");
                        continue;
                    }

                    value = on ? "true" : "false";
                }

                settings.CollectorOverrides[OverrideKey(definition.Name, flag.OptionKey)] = value;
            }
        }

        foreach (var prefix in profile?.EnvironmentPrefixes ?? [])
        {
            foreach (var variable in environment.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !readVariables.Contains(k)).Order(StringComparer.Ordinal))
            {
                settings.Warnings.Add($"{variable} is not a setting of {profile!.ProgramName} and is ignored");
            }
        }

        var action = CommandLineAction.Run;
        var listenFromFlags = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-help")
            {
                action = CommandLineAction.Help;
                continue;
            }

            if (arg is "--version" || (arg == "-version" && profile is { SingleDashFlags: true }))
            {
                action = CommandLineAction.Version;
                continue;
            }

            // Go's flag package reads -name and --name alike; pod specs written for Go exporters use both.
            if (profile is { SingleDashFlags: true } && arg.Length > 1 && arg[0] == '-' && arg[1] != '-')
            {
                arg = "-" + arg;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                errors.Add($"unexpected argument '{args[i]}': flags look like --name=value");
                continue;
            }

            var body = arg[2..];
            string? value = null;
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = body[(eq + 1)..];
                body = body[..eq];
            }

            var negated = false;
            if (body.StartsWith("no-", StringComparison.Ordinal) && value is null)
            {
                negated = true;
            }

            var hostFlag = HostFlags.FirstOrDefault(f => f.Name == body);
            if (hostFlag is not null)
            {
                if (hostFlag.IsSwitch)
                {
                    value ??= "true";
                }
                else if (value is null && i + 1 < args.Count)
                {
                    value = args[++i];
                }

                if (value is null)
                {
                    errors.Add($"flag --{body}: needs a value");
                    continue;
                }

                if (hostFlag.Name == "web.listen-address")
                {
                    listenFromFlags.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    continue;
                }

                Apply(hostFlag, value, settings, errors, "--" + body);
                continue;
            }

            if (hostFlag is null && negated && HostFlags.FirstOrDefault(f => f.IsSwitch && f.Name == body[3..]) is { } negatedHostFlag)
            {
                Apply(negatedHostFlag, "false", settings, errors, "--" + body);
                continue;
            }

            if (aliases.TryGetValue(body, out var alias))
            {
                if (!alias.IsSwitch && value is null && i + 1 < args.Count)
                {
                    value = args[++i];
                }

                if (!alias.IsSwitch && value is null)
                {
                    errors.Add($"flag --{body}: needs a value");
                    continue;
                }

                if (alias.HostFlag == "web.listen-address" && value is not null)
                {
                    listenFromFlags.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    continue;
                }

                ApplyAlias(alias, value ?? "true", settings, errors, "--" + body, fromEnvironment: false, profile);
                continue;
            }

            if (ignored.TryGetValue(body, out var ignoredFlag))
            {
                if (!ignoredFlag.IsSwitch && value is null && i + 1 < args.Count)
                {
                    i++;
                }

                if (!(ignoredFlag.IsSwitch && value is not null && TryParseSwitch(value, profile, out var on) && !on))
                {
                    settings.Warnings.Add($"--{body} is accepted for compatibility and has no effect: {ignoredFlag.Reason}");
                }

                continue;
            }

            var name = negated ? body[3..] : body;

            // node_exporter's convention: --collector.<name> / --no-collector.<name> switch a collector on or off.
            if (name.StartsWith("collector.", StringComparison.Ordinal) && registry.Find(name["collector.".Length..]) is { } switched
                && !collectorFlags.ContainsKey(name))
            {
                var on = negated ? "false" : value ?? "true";
                if (!bool.TryParse(on, out _))
                {
                    errors.Add($"flag --{body}: '{on}' is not true or false");
                    continue;
                }

                settings.CollectorOverrides[OverrideKey(switched.Name, "enabled")] = on.ToLowerInvariant();
                continue;
            }

            if (collectorFlags.TryGetValue(name, out var entry))
            {
                var (flag, definition) = entry;
                if (flag.IsSwitch)
                {
                    value = negated ? "false" : value ?? "true";
                    if (!TryParseSwitch(value, profile, out var on))
                    {
                        errors.Add($"flag --{body}: '{value}' is not true or false");
                        continue;
                    }

                    value = on ? "true" : "false";
                }
                else
                {
                    if (negated)
                    {
                        errors.Add($"flag --{body}: --{name} is not a switch");
                        continue;
                    }

                    if (value is null && i + 1 < args.Count)
                    {
                        value = args[++i];
                    }

                    if (value is null)
                    {
                        errors.Add($"flag --{body}: needs a value");
                        continue;
                    }
                }

                settings.CollectorOverrides[OverrideKey(definition.Name, flag.OptionKey)] = value;
                continue;
            }

            errors.Add($"unknown flag --{body}; see --help");
        }

        if (listenFromFlags.Count > 0)
        {
            settings.ListenAddresses.Clear();
            settings.ListenAddresses.AddRange(listenFromFlags);
        }

        foreach (var address in settings.EffectiveListenAddresses)
        {
            if (!TryParseListenAddress(address, out _, out _))
            {
                errors.Add($"flag --web.listen-address: '{address}' is not host:port or :port");
            }
        }

        if (errors.Count > 0 && action == CommandLineAction.Run)
        {
            throw new ConfigurationException(errors);
        }

        return action;
    }

    /// <summary>Splits a listen address into host (null for all interfaces) and port.</summary>
    /// <param name="address">The address.</param>
    /// <param name="host">The host, or null.</param>
    /// <param name="port">The port.</param>
    /// <returns>Whether the address is valid.</returns>
    public static bool TryParseListenAddress(string address, out string? host, out int port)
    {
        host = null;
        port = 0;
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }

        var h = address[..colon].Trim('[', ']');
        host = h.Length == 0 || h == "0.0.0.0" || h == "::" ? null : h;
        return true;
    }

    /// <summary>The help text.</summary>
    /// <param name="registry">Known collectors.</param>
    /// <param name="programName">The name the program was started under.</param>
    /// <param name="profile">The drop-in profile that name selected, or null.</param>
    /// <returns>The text.</returns>
    public static string Help(CollectorRegistry registry, string programName, ExporterProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"usage: {programName} [flags]").AppendLine();
        text.AppendLine();
        text.AppendLine("Serves Prometheus metrics gathered by collectors from the application beside it.");
        if (profile is not null)
        {
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"Started as {profile.ProgramName}: {profile.Description ?? "a drop-in profile"}. It listens on {profile.DefaultListenAddress} unless told otherwise{(profile.SingleDashFlags ? "; flags may start with - or --" : string.Empty)}.").AppendLine();
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"Flags of {profile.ProgramName}:").AppendLine();
            foreach (var alias in profile.HostFlags)
            {
                AppendFlag(text, alias.Name, alias.IsSwitch, $"{alias.Help} (--{alias.HostFlag})", alias.EnvironmentVariable);
            }

            foreach (var definition in registry.Definitions.Where(d => profile.Collectors.Contains(d.Name, StringComparer.Ordinal)))
            {
                foreach (var flag in definition.Flags)
                {
                    AppendFlag(text, flag.Name, flag.IsSwitch, $"{flag.Help} (collectors.{definition.Name}.{flag.OptionKey})", flag.EnvironmentVariable);
                }
            }

            if (profile.IgnoredFlags.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("Accepted with a warning, no effect here:");
                foreach (var flag in profile.IgnoredFlags)
                {
                    AppendFlag(text, flag.Name, flag.IsSwitch, flag.Reason, flag.EnvironmentVariable);
                }
            }

            text.AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Flags (each also read from the environment variable shown):");
        foreach (var flag in HostFlags)
        {
            AppendFlag(text, flag.Name, flag.IsSwitch, flag.Help, flag.EnvironmentVariable);
        }

        text.AppendLine("  --collector.NAME, --no-collector.NAME");
        text.AppendLine("      Enable or disable the default instance of a collector.");
        text.AppendLine("  --version, --help");
        foreach (var definition in registry.Definitions.Where(d => profile is null || !profile.Collectors.Contains(d.Name, StringComparer.Ordinal)))
        {
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"Collector {definition.Name}: {definition.Description}").AppendLine();
            if (profile is not null)
            {
                text.AppendLine("  (configured in the file given by --config.file)");
                continue;
            }

            foreach (var flag in definition.Flags)
            {
                AppendFlag(text, flag.Name, flag.IsSwitch, $"{flag.Help} (collectors.{definition.Name}.{flag.OptionKey})", flag.EnvironmentVariable);
            }
        }

        return text.ToString();
    }

    private static void AppendFlag(StringBuilder text, string name, bool isSwitch, string help, string? environmentVariable)
    {
        text.Append(CultureInfo.InvariantCulture, $"  --{name}{(isSwitch ? string.Empty : "=VALUE")}").AppendLine();
        var env = environmentVariable is null ? string.Empty : $" [{environmentVariable}]";
        text.Append(CultureInfo.InvariantCulture, $"      {help}{env}").AppendLine();
    }

    private static string OverrideKey(string collector, string optionKey) => $"collectors:{collector}:{optionKey.Replace('.', ':')}";

    private static Dictionary<string, (CollectorFlag Flag, CollectorDefinition Definition)> CollectorFlags(CollectorRegistry registry, ExporterProfile? profile)
    {
        var flags = new Dictionary<string, (CollectorFlag, CollectorDefinition)>(StringComparer.Ordinal);

        // Started as another exporter, only that exporter's flags exist; the others' would be surprising there.
        foreach (var definition in registry.Definitions.Where(d => profile is null || profile.Collectors.Contains(d.Name, StringComparer.Ordinal)))
        {
            foreach (var flag in definition.Flags)
            {
                if (HostFlags.Any(f => f.Name == flag.Name) || !flags.TryAdd(flag.Name, (flag, definition)))
                {
                    throw new InvalidOperationException($"collector '{definition.Name}' declares flag --{flag.Name}, which is already taken");
                }
            }
        }

        return flags;
    }

    private static void Apply(HostFlag flag, string value, HostSettings settings, List<string> errors, string source)
    {
        try
        {
            flag.Apply(settings, value);
        }
        catch (FormatException e)
        {
            errors.Add($"{source}: '{value}': {e.Message}");
        }
    }

    /// <summary>
    /// Reads a switch's value: true or false in any case, and under a profile with Go-style flags also Go's
    /// <c>strconv.ParseBool</c> spellings (1, 0, t, f), which Go exporters accept in flags and variables alike.
    /// </summary>
    private static bool TryParseSwitch(string value, ExporterProfile? profile, out bool on)
    {
        if (bool.TryParse(value, out on))
        {
            return true;
        }

        if (profile is { SingleDashFlags: true })
        {
            switch (value)
            {
                case "1" or "t" or "T":
                    on = true;
                    return true;
                case "0" or "f" or "F":
                    on = false;
                    return true;
            }
        }

        return false;
    }

    private static void ApplyAlias(HostFlagAlias alias, string value, HostSettings settings, List<string> errors, string source, bool fromEnvironment, ExporterProfile? profile)
    {
        var flag = HostFlags.FirstOrDefault(f => f.Name == alias.HostFlag)
            ?? throw new InvalidOperationException($"profile flag --{alias.Name} names --{alias.HostFlag}, which is not a host flag");
        if (alias.IsSwitch)
        {
            if (!TryParseSwitch(value, profile, out var on))
            {
                errors.Add($"{source}: '{value}' is not true or false");
                return;
            }

            if (alias.SwitchValue is null)
            {
                Apply(flag, on ? "true" : "false", settings, errors, source);
            }
            else if (on)
            {
                Apply(flag, alias.SwitchValue, settings, errors, source);
            }

            return;
        }

        var translated = alias.Values.TryGetValue(value, out var mapped) ? mapped : value;
        if (flag.Name == "web.listen-address" && fromEnvironment)
        {
            settings.ListenAddresses.Clear();
        }

        Apply(flag, translated, settings, errors, source);
    }

    private static LogLevel ParseLevel(string value) => value.ToLowerInvariant() switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,

        // Levels of Go exporters' loggers, so their --log.level values keep working.
        "trace" => LogLevel.Debug,
        "fatal" or "panic" => LogLevel.Error,
        _ => throw new FormatException("must be debug, info, warn or error"),
    };

    private sealed record HostFlag(string Name, string EnvironmentVariable, string Help, Action<HostSettings, string> Apply, bool IsSwitch = false);
}
