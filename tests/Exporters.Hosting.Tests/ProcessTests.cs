using Exporters.TestSupport;

namespace Exporters.Hosting.Tests;

/// <summary>The host as a separate process, the way users and Kubernetes run it.</summary>
public class ProcessTests
{
    private static string HostAssembly()
    {
        return Tools.StockExecutableAssembly();
    }

    private static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        await using var process = ExternalProcess.Start("dotnet", [HostAssembly(), .. args]);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the host did not exit");
        await Task.Delay(100);
        return (process.ExitCode, process.Output);
    }

    [Fact]
    public async Task Invalid_configuration_exits_with_code_2_naming_the_key()
    {
        var path = Path.Combine(Tools.TempDirectory("exit"), "config.yaml");
        await File.WriteAllTextAsync(path, "collectors:\n  nosuch:\n    timeout: 5s\n");
        var (exitCode, output) = await RunToExitAsync($"--config.file={path}");
        Assert.Equal(2, exitCode);
        Assert.Contains("error: collectors.nosuch: no collector is named 'nosuch'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_flag_exits_with_code_2()
    {
        var (exitCode, output) = await RunToExitAsync("--no-such-flag=1");
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown flag --no-such-flag", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_and_help_exit_0()
    {
        var (versionExit, version) = await RunToExitAsync("--version");
        Assert.Equal(0, versionExit);
        Assert.StartsWith("exporters version ", version, StringComparison.Ordinal);
        var (helpExit, help) = await RunToExitAsync("--help");
        Assert.Equal(0, helpExit);
        Assert.Contains("--config.file", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_stops_the_host_within_five_seconds()
    {
        var port = Tools.FreePort();
        await using var process = ExternalProcess.Start("dotnet", [HostAssembly(), $"--web.listen-address=127.0.0.1:{port}", "--log.format=json"]);
        await process.WaitForPortAsync(port);
        using (var client = new HttpClient())
        {
            Assert.Contains("exporter_build_info", await client.GetStringAsync($"http://127.0.0.1:{port}/metrics"), StringComparison.Ordinal);
        }

        process.Signal(15);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(5)), "the host did not stop within 5 s of SIGTERM");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("\"level\":\"info\"", process.Output, StringComparison.Ordinal);
    }
}
