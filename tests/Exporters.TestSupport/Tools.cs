using System.Net;
using System.Net.Sockets;

namespace Exporters.TestSupport;

/// <summary>Finding the real programs tests run, and free ports for them.</summary>
public static class Tools
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>
    /// The full path of <paramref name="program"/>. Fails the test, never skips it, when the program is missing:
    /// <c>scripts/test</c> installs every program the tests need.
    /// </summary>
    /// <param name="program">A program name or path.</param>
    /// <returns>Its path.</returns>
    public static string Require(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : throw new FileNotFoundException($"'{program}' does not exist; run scripts/test, which builds and installs what the tests need");
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
        return path ?? throw new FileNotFoundException($"'{program}' is not installed; run scripts/test, which installs it (Debian package)");
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    /// <returns>The port.</returns>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A new empty directory under the system temp directory, for one test.</summary>
    /// <param name="name">A readable prefix.</param>
    /// <returns>The path.</returns>
    public static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"exporters-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The repository's root directory (the one holding Exporters.sln).</summary>
    /// <returns>The path.</returns>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Exporters.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Exporters.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The <c>shared/</c> folder beside the repository (fixtures, reference tables, schemas).</summary>
    /// <returns>The path.</returns>
    public static string SharedDirectory()
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared"));
        return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"shared/ is expected beside the repository at {path}");
    }

    /// <summary>
    /// The stock executable built as IL (<c>src/Exporters/bin/CONFIG/net10.0/exporters.dll</c>, run with <c>dotnet</c>),
    /// for tests that need the host as its own process. Test projects that use it reference src/Exporters so it is built first.
    /// </summary>
    /// <returns>The path.</returns>
    public static string StockExecutableAssembly() => StockExecutable() + ".dll";

    /// <summary>
    /// The stock executable's apphost (<c>src/Exporters/bin/CONFIG/net10.0/exporters</c>), which a symlink can start
    /// under another name, as the image's <c>redis_exporter</c> does.
    /// </summary>
    /// <returns>The path.</returns>
    public static string StockExecutable()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryRoot(), "src", "Exporters", "bin", configuration, "net10.0", "exporters");
        return File.Exists(path) && File.Exists(path + ".dll") ? path : throw new FileNotFoundException($"'{path}' is not built; build src/Exporters first (scripts/test does)");
    }
}
