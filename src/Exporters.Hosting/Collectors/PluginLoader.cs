using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using Exporters.Abstractions;

namespace Exporters.Hosting.Collectors;

/// <summary>
/// Loads collector definitions from a plugins directory. Each plugin is a <c>*.dll</c> at the top of the directory,
/// or <c>NAME/NAME.dll</c> with its dependencies beside it, and loads into an <see cref="AssemblyLoadContext"/> of its
/// own, so plugins cannot clash over their dependencies. The contract and the framework come from the host, so a
/// plugin's definition is the host's <see cref="CollectorDefinition"/> type.
/// </summary>
internal static class PluginLoader
{
    /// <summary>Finds the plugin assemblies in <paramref name="directory"/>.</summary>
    /// <param name="directory">The plugins directory.</param>
    /// <returns>Paths of plugin main assemblies.</returns>
    public static IReadOnlyList<string> FindPluginFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ConfigurationException($"--plugins.dir: '{directory}' is not a directory");
        }

        var files = Directory.EnumerateFiles(directory, "*.dll").ToList();
        foreach (var folder in Directory.EnumerateDirectories(directory))
        {
            var main = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
            if (File.Exists(main))
            {
                files.Add(main);
            }
        }

        return [.. files.Order(StringComparer.Ordinal)];
    }

    /// <summary>Loads every plugin in <paramref name="directory"/> into <paramref name="registry"/>.</summary>
    /// <param name="directory">The plugins directory.</param>
    /// <param name="registry">Where definitions go.</param>
    /// <returns>How many definitions were loaded.</returns>
    /// <exception cref="ConfigurationException">A plugin cannot be loaded; the message names the file.</exception>
    public static int LoadInto(string directory, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var count = 0;
        foreach (var file in FindPluginFiles(directory))
        {
            try
            {
                foreach (var definition in LoadDefinitions(file))
                {
                    registry.Add(definition, file);
                    count++;
                }
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException or MissingMethodException or TargetInvocationException or InvalidOperationException)
            {
                var cause = e;
                while (cause is TargetInvocationException { InnerException: { } inner })
                {
                    cause = inner;
                }

                throw new ConfigurationException($"--plugins.dir: cannot load '{file}': {cause.GetType().Name}: {cause.Message}");
            }
        }

        return count;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2065", Justification = "Plugin assemblies are loaded at run time and are not trimmed.")]
    private static List<CollectorDefinition> LoadDefinitions(string file)
    {
        var context = new PluginLoadContext(Path.GetFullPath(file));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(file));
        var definitions = new List<CollectorDefinition>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type is { IsClass: true, IsAbstract: false } && typeof(CollectorDefinition).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null)
            {
                definitions.Add((CollectorDefinition)Activator.CreateInstance(type)!);
            }
        }

        if (definitions.Count == 0 && assembly.GetReferencedAssemblies().Any(a => a.Name == typeof(CollectorDefinition).Assembly.GetName().Name))
        {
            throw new InvalidOperationException("it references Exporters.Abstractions but has no public, non-abstract CollectorDefinition with a parameterless constructor");
        }

        return definitions;
    }

    private sealed class PluginLoadContext(string mainAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath))
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plugin assemblies and their dependencies are not trimmed.")]
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Shared with the host: the contract (so type identity holds) and anything the host already loaded or ships.
            if (IsShared(assemblyName))
            {
                return null;
            }

            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }

        private static bool IsShared(AssemblyName name)
        {
            var simple = name.Name ?? string.Empty;
            return simple == typeof(CollectorDefinition).Assembly.GetName().Name
                || simple.StartsWith("System.", StringComparison.Ordinal) || simple is "System" or "netstandard" or "mscorlib"
                || simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                || simple.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
                || Default.Assemblies.Any(a => a.GetName().Name == simple);
        }
    }
}
