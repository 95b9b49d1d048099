using Exporters.Abstractions;
using Exporters.Abstractions.Configuration;
using Exporters.Hosting.Collectors;

namespace Exporters.Hosting.Configuration;

/// <summary>One configured collector instance, validated.</summary>
/// <param name="Name">Instance name (its key under <c>collectors:</c>).</param>
/// <param name="Definition">The collector it runs.</param>
/// <param name="Options">Bound and validated options.</param>
/// <param name="Secrets">Secret values to scrub from output.</param>
/// <param name="Fingerprint">The instance's settings as text, to tell whether a reload changed them.</param>
internal sealed record InstanceConfiguration(string Name, CollectorDefinition Definition, CollectorOptions Options, IReadOnlyList<string> Secrets, string Fingerprint);

/// <summary>The validated configuration: collector instances and the probe settings.</summary>
/// <param name="Instances">Enabled instances, in name order.</param>
/// <param name="Probe">The <c>/probe</c> settings.</param>
internal sealed record ExporterConfiguration(IReadOnlyList<InstanceConfiguration> Instances, ProbeOptions Probe)
{
    /// <summary>The label added to every series of an instance when several instances of its collector are enabled.</summary>
    public const string InstanceLabel = "collector_instance";

    private static readonly string[] TopLevelKeys = ["collectors", "probe"];

    /// <summary>
    /// Builds the configuration from the YAML file (if any), <c>EXPORTERS_</c> environment variables with <c>__</c>
    /// (for example <c>EXPORTERS_COLLECTORS__REDIS__TIMEOUT</c>) and collector flags, later sources winning.
    /// </summary>
    /// <param name="settings">Process settings (config file path, collector flag overrides).</param>
    /// <param name="registry">Known collectors.</param>
    /// <param name="environment">Environment variables.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ConfigurationException">Every problem found, each naming its key.</exception>
    public static ExporterConfiguration Load(HostSettings settings, CollectorRegistry registry, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        var fileValues = new Dictionary<string, string?>();
        if (settings.ConfigFile is { } file)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"--config.file: cannot read '{file}': {e.Message}");
            }

            fileValues = YamlConfiguration.Flatten(text, file);
        }

        var profileDefaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (settings.Profile is { } profile)
        {
            foreach (var (key, value) in profile.CollectorDefaults)
            {
                profileDefaults[key.Replace('.', ':')] = value;
            }

            fileValues = MoveSections(fileValues, profile.ConfigurationSections);
        }

        var environmentValues = environment
            .Where(kv => kv.Key.StartsWith("EXPORTERS_", StringComparison.OrdinalIgnoreCase) && kv.Key.Contains("__", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["EXPORTERS_".Length..].Replace("__", ":", StringComparison.Ordinal).ToLowerInvariant(), kv => kv.Value, StringComparer.OrdinalIgnoreCase);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.CollectorDefaults)
            .AddInMemoryCollection(profileDefaults)
            .AddInMemoryCollection(fileValues)
            .AddInMemoryCollection(environmentValues)
            .AddInMemoryCollection(settings.CollectorOverrides)
            .Build();

        foreach (var section in configuration.GetChildren())
        {
            if (!TopLevelKeys.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{section.Key}: unknown key; valid top-level keys are: {string.Join(", ", TopLevelKeys)}");
            }
        }

        var probeErrors = new OptionErrors();
        var probe = ProbeOptions.Bind(configuration.GetSection("probe"), probeErrors);
        problems.AddRange(probeErrors.Errors.Select(e => $"probe.{e.Key}: {e.Message}"));
        if (settings.ProbeAllowedTargets is { } flagTargets)
        {
            // The flag replaces the file's list as a whole rather than merging with it entry by entry.
            if (flagTargets.Count == 0)
            {
                problems.Add("--probe.allowed-targets: must list at least one host:port pattern");
            }

            probe.Enabled = true;
            probe.AllowedTargets = flagTargets;
        }
        else if (probe.Enabled && probe.AllowedTargets.Count == 0)
        {
            problems.Add("probe.allowed_targets: must list at least one host:port pattern when probe.enabled is true");
        }

        var instances = new List<InstanceConfiguration>();
        foreach (var section in configuration.GetSection("collectors").GetChildren())
        {
            var name = section.Key;
            var prefix = $"collectors.{name}";
            if (!CollectorRegistry.IsValidName(name))
            {
                problems.Add($"{prefix}: instance names use lowercase letters, digits and underscores, starting with a letter");
                continue;
            }

            var typeName = section["type"] is { Length: > 0 } t ? t : name;
            var definition = registry.Find(typeName);
            if (definition is null)
            {
                var known = string.Join(", ", registry.Definitions.Select(d => d.Name));
                problems.Add(section["type"] is null
                    ? $"{prefix}: no collector is named '{name}'; set 'type' to one of: {known}"
                    : $"{prefix}.type: no collector is named '{typeName}'; known collectors: {known}");
                continue;
            }

            var errors = new OptionErrors();
            var options = definition.CreateOptions();
            OptionsBinding.Bind(options, section, errors);
            if (!errors.HasErrors && options.Enabled)
            {
                definition.Validate(options, errors);
            }

            problems.AddRange(errors.Errors.Select(e => $"{prefix}.{e.Key}: {e.Message}"));
            if (!errors.HasErrors && options.Enabled)
            {
                var fingerprint = string.Join('\n', section.AsEnumerable().OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => $"{kv.Key}={kv.Value}"));
                instances.Add(new InstanceConfiguration(name, definition, options, OptionsBinding.SecretValues(options), fingerprint));
            }
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        // Two instances of one collector write the same families; a label per instance keeps their series apart.
        foreach (var group in instances.GroupBy(i => i.Definition.Name).Where(g => g.Count() > 1))
        {
            foreach (var instance in group)
            {
                instance.Options.Labels.TryAdd(InstanceLabel, instance.Name);
            }
        }

        return new ExporterConfiguration(instances, probe);
    }

    /// <summary>Moves a drop-in profile's top-level sections (the replaced exporter's own file keys) to their place.</summary>
    private static Dictionary<string, string?> MoveSections(Dictionary<string, string?> values, IReadOnlyDictionary<string, string> sections)
    {
        if (sections.Count == 0)
        {
            return values;
        }

        var moved = new Dictionary<string, string?>(values.Comparer);
        foreach (var (key, value) in values)
        {
            var target = key;
            foreach (var (section, path) in sections)
            {
                if (key.Equals(section, StringComparison.OrdinalIgnoreCase) || key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
                {
                    target = path.Replace('.', ':') + key[section.Length..];
                    break;
                }
            }

            moved[target] = value;
        }

        return moved;
    }
}
