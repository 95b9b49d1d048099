using System.Reflection;
using Prometheus;

// What code outside prometheus-net can do with its collector model: which abstract types it can derive from or
// implement, and how a registry takes collectors and values.
var assembly = typeof(Collector).Assembly;
Console.WriteLine($"prometheus-net {assembly.GetName().Version}");
const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
foreach (var type in assembly.GetExportedTypes().Where(t => (t.IsAbstract || t.IsInterface) && t.Name.Contains("Collector", StringComparison.Ordinal)).OrderBy(t => t.FullName, StringComparer.Ordinal))
{
    var constructors = type.GetConstructors(All).Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly).ToArray();
    var internalAbstract = type.GetMethods(All).Where(m => m.IsAbstract && (m.IsAssembly || m.IsFamilyAndAssembly)).Select(m => m.Name).Distinct().ToArray();
    var verdict = type.IsInterface
        ? "interface: can be implemented"
        : type.IsSealed || constructors.Length == 0 ? "cannot be derived from outside (no public or protected constructor)"
        : internalAbstract.Length > 0 ? $"cannot be derived from outside (internal abstract members: {string.Join(", ", internalAbstract)})"
        : "can be derived from";
    Console.WriteLine($"  {type.FullName}: {verdict}");
}

Console.WriteLine("CollectorRegistry public methods:");
foreach (var name in typeof(CollectorRegistry).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(m => m.Name).Distinct().Order(StringComparer.Ordinal))
{
    Console.WriteLine($"  {name}");
}

var register = typeof(CollectorRegistry).GetMethods(All).Where(m => m.Name.Contains("GetOrAdd", StringComparison.Ordinal) || m.Name.Contains("Register", StringComparison.Ordinal));
Console.WriteLine("CollectorRegistry methods that take a collector: " + string.Join(", ", register.Select(m => $"{m.Name} ({(m.IsPublic ? "public" : "internal")})").Distinct()));
Console.WriteLine("IMetricFactory methods: " + string.Join(", ", typeof(IMetricFactory).GetMethods().Select(m => m.Name).Distinct().Order(StringComparer.Ordinal)));
Console.WriteLine("ICollectorRegistry members: " + string.Join(", ", typeof(ICollectorRegistry).GetMembers().Select(m => m.Name).Distinct().Order(StringComparer.Ordinal)));
