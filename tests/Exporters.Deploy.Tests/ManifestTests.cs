using System.Net;
using System.Text.RegularExpressions;
using Exporters.TestSupport;
using static Exporters.Deploy.Tests.Kit;

namespace Exporters.Deploy.Tests;

/// <summary>
/// Every example under deploy/examples renders with kubectl kustomize, its Prometheus Operator resources validate
/// against the operator's CRD schemas, its core kinds fit together, and the exporter it configures starts and
/// answers the paths its probes and monitors use.
/// </summary>
public sealed class ManifestTests
{
    private const string Image = "ghcr.io/exporters/exporters:0.1.0";

    public static TheoryData<string> Examples() => ExampleData();

    [Fact]
    public void Each_collector_has_classic_and_native_components_and_an_example()
    {
        foreach (var collector in Collectors)
        {
            foreach (var variant in new[] { "sidecar", "native-sidecar" })
            {
                var kustomization = Path.Combine(Kit.Deploy, "components", collector, variant, "kustomization.yaml");
                Assert.True(File.Exists(kustomization), kustomization);
                Assert.Equal("Component", Str(ParseDocument(File.ReadAllText(kustomization)), "kind"));
            }

            Assert.Contains(collector, Kit.Examples);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Operator_resources_validate_against_the_crd_schemas(string example)
    {
        var rendered = await KustomizeAsync(example);
        var (code, output) = await ValidateAsync(rendered);
        Assert.True(code == 0, $"{example}:\n{output}");
        var validated = int.Parse(Regex.Match(output, @"validated (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var expected = ParseDocuments(rendered).Count(d => (Str(d, "apiVersion") ?? string.Empty).StartsWith("monitoring.coreos.com/", StringComparison.Ordinal));
        Assert.True(expected > 0, $"{example} renders no Prometheus Operator resource");
        Assert.Equal(expected, validated);
    }

    [Fact]
    public async Task The_schema_validator_rejects_wrong_types_values_and_unknown_fields()
    {
        const string broken = """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: broken
            spec:
              selector:
                matchLabels:
                  app: x
              endpoints:
                - port: 9840
                  scheme: ftp
                  intervall: 30s
            """;
        var (code, output) = await ValidateAsync(broken);
        Assert.Equal(1, code);
        Assert.Contains("$.spec.endpoints[0].port: 9840 is not of type 'string'", output, StringComparison.Ordinal);
        Assert.Contains("$.spec.endpoints[0].scheme: 'ftp' is not one of", output, StringComparison.Ordinal);
        Assert.Contains("$.spec.endpoints[0].intervall: unknown field", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Core_kinds_fit_together(string example)
    {
        var documents = ParseDocuments(await KustomizeAsync(example));
        var problems = new List<string>();
        var workloads = documents.Where(d => Kind(d) is "Deployment" or "StatefulSet").ToList();
        var services = documents.Where(d => Kind(d) == "Service").ToList();
        Assert.NotEmpty(workloads);

        foreach (var workload in workloads)
        {
            var pod = Map(workload, "spec", "template", "spec");
            var podLabels = Labels(Map(workload, "spec", "template", "metadata", "labels"));
            if (!IsSubset(Labels(Map(workload, "spec", "selector", "matchLabels")), podLabels))
            {
                problems.Add($"{Kind(workload)}/{Name(workload)}: selector does not match the pod template's labels");
            }

            CheckPod($"{Kind(workload)}/{Name(workload)}", pod, List(workload, "spec", "volumeClaimTemplates"), documents, problems);
        }

        var exporters = workloads.SelectMany(w => AllContainers(Map(w, "spec", "template", "spec"))).Where(c => Str(c.Container, "name") == "exporter").ToList();
        Assert.Single(exporters);

        foreach (var service in services)
        {
            var selector = Labels(Map(service, "spec", "selector"));
            var selected = workloads.Where(w => IsSubset(selector, Labels(Map(w, "spec", "template", "metadata", "labels")))).ToList();
            if (selected.Count == 0)
            {
                problems.Add($"Service/{Name(service)}: selector {Format(selector)} matches no pod template");
                continue;
            }

            foreach (var port in List(service, "spec", "ports").OfType<Dictionary<string, object?>>())
            {
                var target = Str(port, "targetPort") ?? Str(port, "port")!;
                var containers = selected.SelectMany(w => AllContainers(Map(w, "spec", "template", "spec"))).ToList();
                var owner = containers.FirstOrDefault(c => List(c.Container, "ports").OfType<Dictionary<string, object?>>()
                    .Any(p => Str(p, "name") == target || Str(p, "containerPort") == target));
                if (owner.Container is null)
                {
                    problems.Add($"Service/{Name(service)}: targetPort {target} is no container port of the selected pods");
                }
                else if (owner.Init && !target.All(char.IsDigit))
                {
                    problems.Add($"Service/{Name(service)}: targetPort '{target}' names a port of native sidecar {Str(owner.Container, "name")}; named ports of init containers resolve only from Kubernetes 1.32, use the number");
                }
            }
        }

        foreach (var monitor in documents.Where(d => Kind(d) == "ServiceMonitor"))
        {
            var selector = Labels(Map(monitor, "spec", "selector", "matchLabels"));
            var matched = services.Where(s => IsSubset(selector, Labels(Map(s, "metadata", "labels")))).ToList();
            if (matched.Count == 0)
            {
                problems.Add($"ServiceMonitor/{Name(monitor)}: selects no Service");
            }

            foreach (var endpoint in List(monitor, "spec", "endpoints").OfType<Dictionary<string, object?>>())
            {
                CheckTiming($"ServiceMonitor/{Name(monitor)}", endpoint, problems);
                var port = Str(endpoint, "port");
                if (!matched.Any(s => List(s, "spec", "ports").OfType<Dictionary<string, object?>>().Any(p => Str(p, "name") == port)))
                {
                    problems.Add($"ServiceMonitor/{Name(monitor)}: port '{port}' is no port of the selected Service");
                }

                CheckScrapeSecrets($"ServiceMonitor/{Name(monitor)}", endpoint, documents, problems);
            }
        }

        foreach (var monitor in documents.Where(d => Kind(d) == "PodMonitor"))
        {
            var selector = Labels(Map(monitor, "spec", "selector", "matchLabels"));
            var matched = workloads.Where(w => IsSubset(selector, Labels(Map(w, "spec", "template", "metadata", "labels")))).ToList();
            if (matched.Count == 0)
            {
                problems.Add($"PodMonitor/{Name(monitor)}: selects no pod template");
            }

            foreach (var endpoint in List(monitor, "spec", "podMetricsEndpoints").OfType<Dictionary<string, object?>>())
            {
                CheckTiming($"PodMonitor/{Name(monitor)}", endpoint, problems);
                var port = Str(endpoint, "port");
                if (!matched.SelectMany(w => AllContainers(Map(w, "spec", "template", "spec"))).Any(c => List(c.Container, "ports").OfType<Dictionary<string, object?>>().Any(p => Str(p, "name") == port)))
                {
                    problems.Add($"PodMonitor/{Name(monitor)}: port '{port}' is no container port of the selected pods");
                }

                CheckScrapeSecrets($"PodMonitor/{Name(monitor)}", endpoint, documents, problems);
            }
        }

        foreach (var probe in documents.Where(d => Kind(d) == "Probe"))
        {
            CheckTiming($"Probe/{Name(probe)}", Map(probe, "spec"), problems);
            CheckProbe(probe, documents, problems);
        }

        Assert.True(problems.Count == 0, $"{example}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task The_exporter_accepts_its_configuration_and_answers_the_probed_and_scraped_paths(string example)
    {
        var documents = ParseDocuments(await KustomizeAsync(example));
        var (container, _) = documents.Where(d => Kind(d) is "Deployment" or "StatefulSet")
            .SelectMany(w => AllContainers(Map(w, "spec", "template", "spec")))
            .Single(c => Str(c.Container, "name") == "exporter");
        var configYaml = ConfigFile(container, documents);
        var directory = Tools.TempDirectory("deploy-config");
        var configPath = Path.Combine(directory, "config.yaml");
        await File.WriteAllTextAsync(configPath, configYaml);

        // The container's own flags, with the listen address moved to a free loopback port. The web configuration
        // (TLS, basic authentication) needs the certificate files of a real deployment, so it is left out here.
        var port = Tools.FreePort();
        var args = List(container, "args").OfType<string>()
            .Where(a => !a.StartsWith("--web.listen-address", StringComparison.Ordinal) && !a.StartsWith("--web.config.file", StringComparison.Ordinal))
            .Select(a => a.StartsWith("--config.file=", StringComparison.Ordinal) ? "--config.file=" + configPath : a)
            .Append($"--web.listen-address=127.0.0.1:{port}")
            .ToArray();
        var app = StockExporter.Builder(args, new Dictionary<string, string?>()).Build();
        Assert.True(app.Output is null, $"the exporter printed instead of starting for {example}:\n{app.Output}");
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
            {
                var path = Str(container, probe, "httpGet", "path");
                Assert.NotNull(path);
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

                // Nothing listens where the configuration points: readiness must not depend on the target.
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{example}: {probe} {path} answered {(int)response.StatusCode}");
            }

            var monitors = documents.Where(d => Kind(d) is "ServiceMonitor" or "PodMonitor")
                .SelectMany(d => List(d, "spec", "endpoints").Concat(List(d, "spec", "podMetricsEndpoints")))
                .OfType<Dictionary<string, object?>>();
            foreach (var endpoint in monitors)
            {
                var path = Str(endpoint, "path") ?? "/metrics";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
                request.Headers.Add("X-Prometheus-Scrape-Timeout-Seconds", Seconds(Str(endpoint, "scrapeTimeout")!).ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{example}: {path} answered {(int)response.StatusCode}");
                Assert.Contains("exporter_collector_success{", body, StringComparison.Ordinal);
            }

            foreach (var probe in documents.Where(d => Kind(d) == "Probe"))
            {
                var path = Str(probe, "spec", "prober", "path") ?? "/probe";
                var collector = ProbeCollector(probe);
                foreach (var target in List(probe, "spec", "targets", "staticConfig", "static").OfType<string>())
                {
                    using var allowed = await client.GetAsync(new Uri($"{path}?target={Uri.EscapeDataString(target)}&collector={collector}", UriKind.Relative));
                    Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{example}: {path} refused the Probe's target {target}: {(int)allowed.StatusCode}");
                }

                using var refused = await client.GetAsync(new Uri($"{path}?target={Uri.EscapeDataString("redis://169.254.169.254:6379")}&collector={collector}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    internal static async Task<(int ExitCode, string Output)> ValidateAsync(string manifests)
    {
        var directory = Tools.TempDirectory("crd-validate");
        var file = Path.Combine(directory, "manifests.yaml");
        await File.WriteAllTextAsync(file, manifests);

        // Debian's interpreter, which has Debian's python3-jsonschema and python3-yaml.
        return await RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "validate_crds.py"), CrdSchemas, file);
    }

    /// <summary>The exporter's configuration file, read from the ConfigMap its --config.file lives in.</summary>
    internal static string ConfigFile(Dictionary<string, object?> container, List<Dictionary<string, object?>> documents)
    {
        var argument = List(container, "args").OfType<string>().Single(a => a.StartsWith("--config.file=", StringComparison.Ordinal));
        var path = argument["--config.file=".Length..];
        var (volume, key) = MountedFile(container, path);
        Assert.True(volume is not null, $"--config.file={path} is not inside a volume mount of the exporter");
        return FileInVolume(volume, key, documents) ?? throw new InvalidOperationException($"{path}: no such key in the volume's ConfigMap or Secret");
    }

    private static void CheckPod(string owner, Dictionary<string, object?> pod, List<object?> claimTemplates, List<Dictionary<string, object?>> documents, List<string> problems)
    {
        var volumes = List(pod, "volumes").OfType<Dictionary<string, object?>>().ToDictionary(v => Str(v, "name") ?? string.Empty, StringComparer.Ordinal);
        var claims = claimTemplates.OfType<Dictionary<string, object?>>().Select(Name).ToHashSet(StringComparer.Ordinal);
        foreach (var volume in volumes.Values)
        {
            if (Str(volume, "configMap", "name") is { } configMap && !documents.Any(d => Kind(d) == "ConfigMap" && Name(d) == configMap))
            {
                problems.Add($"{owner}: volume {Str(volume, "name")} uses ConfigMap {configMap}, which the example does not define");
            }

            if (Str(volume, "secret", "secretName") is { } secret && !documents.Any(d => Kind(d) == "Secret" && Name(d) == secret))
            {
                problems.Add($"{owner}: volume {Str(volume, "name")} uses Secret {secret}, which the example does not define");
            }
        }

        foreach (var (container, init) in AllContainers(pod))
        {
            var name = $"{owner} container {Str(container, "name")}";
            foreach (var mount in List(container, "volumeMounts").OfType<Dictionary<string, object?>>())
            {
                if (!volumes.ContainsKey(Str(mount, "name") ?? string.Empty) && !claims.Contains(Str(mount, "name") ?? string.Empty))
                {
                    problems.Add($"{name}: mounts volume {Str(mount, "name")}, which the pod does not have");
                }
            }

            foreach (var env in List(container, "env").OfType<Dictionary<string, object?>>())
            {
                if (At(env, "valueFrom", "secretKeyRef") is Dictionary<string, object?> reference)
                {
                    var secret = documents.FirstOrDefault(d => Kind(d) == "Secret" && Name(d) == Str(reference, "name"));
                    if (secret is null || !Map(secret, "data").ContainsKey(Str(reference, "key") ?? string.Empty))
                    {
                        problems.Add($"{name}: env {Str(env, "name")} reads key {Str(reference, "key")} of Secret {Str(reference, "name")}, which the example does not define");
                    }
                }
            }

            if (Str(container, "name") != "exporter")
            {
                continue;
            }

            if (init && Str(container, "restartPolicy") != "Always")
            {
                problems.Add($"{name}: an init container without restartPolicy Always is not a native sidecar");
            }

            if (Str(container, "image") != Image)
            {
                problems.Add($"{name}: image {Str(container, "image")}, expected {Image}");
            }

            var ports = List(container, "ports").OfType<Dictionary<string, object?>>().ToList();
            if (!ports.Any(p => Str(p, "name") == "metrics" && Str(p, "containerPort") == "9840"))
            {
                problems.Add($"{name}: no port named metrics on 9840");
            }

            foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
            {
                if (Str(container, probe, "httpGet", "path") != path)
                {
                    problems.Add($"{name}: {probe} should GET {path}, the host's endpoint for it");
                }

                var port = Str(container, probe, "httpGet", "port");
                if (!ports.Any(p => Str(p, "name") == port || Str(p, "containerPort") == port))
                {
                    problems.Add($"{name}: {probe} port {port} is not a port of the container");
                }
            }

            var security = Map(container, "securityContext");
            foreach (var (key, value) in new[] { ("runAsNonRoot", "true"), ("readOnlyRootFilesystem", "true"), ("allowPrivilegeEscalation", "false") })
            {
                if (Str(security, key) != value)
                {
                    problems.Add($"{name}: securityContext.{key} should be {value}");
                }
            }

            if (!List(security, "capabilities", "drop").OfType<string>().Contains("ALL"))
            {
                problems.Add($"{name}: securityContext.capabilities.drop should contain ALL");
            }

            if (Str(security, "seccompProfile", "type") != "RuntimeDefault")
            {
                problems.Add($"{name}: securityContext.seccompProfile.type should be RuntimeDefault");
            }

            foreach (var kind in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (Str(container, "resources", kind, resource) is null)
                    {
                        problems.Add($"{name}: resources.{kind}.{resource} is not set");
                    }
                }
            }

            if (Str(container, "resources", "requests", "memory") is { } request && Str(container, "resources", "limits", "memory") is { } limit && Quantity(request) > Quantity(limit))
            {
                problems.Add($"{name}: memory request {request} is above the limit {limit}");
            }

            foreach (var argument in List(container, "args").OfType<string>().Where(a => a.StartsWith("--config.file=", StringComparison.Ordinal) || a.StartsWith("--web.config.file=", StringComparison.Ordinal)))
            {
                var path = argument[(argument.IndexOf('=', StringComparison.Ordinal) + 1)..];
                var (volume, key) = MountedFile(container, path, volumes);
                if (volume is null || FileInVolume(volume, key, documents) is null)
                {
                    problems.Add($"{name}: {argument} is not a key of a ConfigMap or Secret mounted there");
                }
            }
        }
    }

    private static void CheckTiming(string owner, Dictionary<string, object?> endpoint, List<string> problems)
    {
        var interval = Str(endpoint, "interval");
        var timeout = Str(endpoint, "scrapeTimeout");
        if (interval is null || timeout is null)
        {
            problems.Add($"{owner}: interval and scrapeTimeout should both be set");
        }
        else if (Seconds(timeout) >= Seconds(interval))
        {
            problems.Add($"{owner}: scrapeTimeout {timeout} is not below interval {interval}");
        }
    }

    private static void CheckScrapeSecrets(string owner, Dictionary<string, object?> endpoint, List<Dictionary<string, object?>> documents, List<string> problems)
    {
        var references = new[]
        {
            At(endpoint, "basicAuth", "username"), At(endpoint, "basicAuth", "password"), At(endpoint, "tlsConfig", "ca", "secret"),
        }.OfType<Dictionary<string, object?>>();
        foreach (var reference in references)
        {
            var secret = documents.FirstOrDefault(d => Kind(d) == "Secret" && Name(d) == Str(reference, "name"));
            if (secret is null || !Map(secret, "data").ContainsKey(Str(reference, "key") ?? string.Empty))
            {
                problems.Add($"{owner}: reads key {Str(reference, "key")} of Secret {Str(reference, "name")}, which the example does not define");
            }
        }

        if (At(endpoint, "basicAuth") is not null && Str(endpoint, "scheme") != "https")
        {
            problems.Add($"{owner}: basic authentication over plain HTTP");
        }
    }

    private static void CheckProbe(Dictionary<string, object?> probe, List<Dictionary<string, object?>> documents, List<string> problems)
    {
        var owner = $"Probe/{Name(probe)}";
        if ((Str(probe, "spec", "prober", "path") ?? "/probe") != "/probe")
        {
            problems.Add($"{owner}: the host's multi-target endpoint is /probe");
        }

        var exporter = documents.Where(d => Kind(d) is "Deployment" or "StatefulSet")
            .SelectMany(w => AllContainers(Map(w, "spec", "template", "spec")))
            .Single(c => Str(c.Container, "name") == "exporter").Container;
        var config = ParseDocument(ConfigFile(exporter, documents));
        if (Str(config, "probe", "enabled") != "true")
        {
            problems.Add($"{owner}: the exporter's configuration does not enable probe");
        }

        var collector = ProbeCollector(probe);
        if (!Map(config, "collectors").ContainsKey(collector))
        {
            problems.Add($"{owner}: collector '{collector}' is not configured in the exporter");
        }

        var patterns = List(config, "probe", "allowed_targets").OfType<string>().ToList();
        foreach (var target in List(probe, "spec", "targets", "staticConfig", "static").OfType<string>())
        {
            var hostPort = new Uri(target).Authority;
            if (!patterns.Any(p => Regex.IsMatch(hostPort, "^" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase)))
            {
                problems.Add($"{owner}: target {target} matches no probe.allowed_targets pattern, the exporter would refuse it");
            }
        }

        var service = documents.FirstOrDefault(d => Kind(d) == "Service" && (Str(probe, "spec", "prober", "url") ?? string.Empty).StartsWith(Name(d) + ".", StringComparison.Ordinal));
        if (service is null)
        {
            problems.Add($"{owner}: prober url {Str(probe, "spec", "prober", "url")} names no Service of the example");
        }
    }

    private static string ProbeCollector(Dictionary<string, object?> probe) =>
        List(probe, "spec", "params").OfType<Dictionary<string, object?>>()
            .Where(p => Str(p, "name") == "collector")
            .Select(p => List(p, "values").OfType<string>().Single())
            .Single();

    private static (Dictionary<string, object?>? Volume, string Key) MountedFile(Dictionary<string, object?> container, string path, Dictionary<string, Dictionary<string, object?>>? volumes = null)
    {
        foreach (var mount in List(container, "volumeMounts").OfType<Dictionary<string, object?>>())
        {
            var mountPath = Str(mount, "mountPath")!.TrimEnd('/') + "/";
            if (path.StartsWith(mountPath, StringComparison.Ordinal))
            {
                var volume = volumes?.GetValueOrDefault(Str(mount, "name")!) ?? new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = Str(mount, "name") };
                return (volume, path[mountPath.Length..]);
            }
        }

        return (null, string.Empty);
    }

    private static string? FileInVolume(Dictionary<string, object?> volume, string key, List<Dictionary<string, object?>> documents)
    {
        // When only the volume's name is known, find it in the pod templates.
        if (!volume.ContainsKey("configMap") && !volume.ContainsKey("secret"))
        {
            volume = documents.Where(d => Kind(d) is "Deployment" or "StatefulSet")
                .SelectMany(w => List(w, "spec", "template", "spec", "volumes").OfType<Dictionary<string, object?>>())
                .First(v => Str(v, "name") == Str(volume, "name"));
        }

        if (Str(volume, "configMap", "name") is { } configMap)
        {
            return documents.Where(d => Kind(d) == "ConfigMap" && Name(d) == configMap).Select(d => Str(d, "data", key)).FirstOrDefault();
        }

        if (Str(volume, "secret", "secretName") is { } secret)
        {
            return documents.Where(d => Kind(d) == "Secret" && Name(d) == secret)
                .Select(d => Str(d, "data", key) is { } encoded ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null)
                .FirstOrDefault();
        }

        return null;
    }

    internal static IEnumerable<(Dictionary<string, object?> Container, bool Init)> AllContainers(Dictionary<string, object?> pod) =>
        List(pod, "containers").OfType<Dictionary<string, object?>>().Select(c => (c, false))
            .Concat(List(pod, "initContainers").OfType<Dictionary<string, object?>>().Select(c => (c, true)));

    private static Dictionary<string, string> Labels(Dictionary<string, object?> map) =>
        map.Where(p => p.Value is string).ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);

    private static bool IsSubset(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(p => labels.TryGetValue(p.Key, out var value) && value == p.Value);

    private static string Format(Dictionary<string, string> labels) => "{" + string.Join(", ", labels.Select(p => $"{p.Key}={p.Value}")) + "}";

    private static double Quantity(string quantity)
    {
        var units = new Dictionary<string, double>(StringComparer.Ordinal) { ["Ki"] = 1024, ["Mi"] = 1024 * 1024, ["Gi"] = 1024 * 1024 * 1024, ["k"] = 1e3, ["M"] = 1e6, ["G"] = 1e9 };
        foreach (var (suffix, factor) in units.OrderByDescending(u => u.Key.Length))
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return double.Parse(quantity[..^suffix.Length], System.Globalization.CultureInfo.InvariantCulture) * factor;
            }
        }

        return double.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture);
    }
}
