namespace Exporters.TestSupport;

/// <summary>Runs Debian's <c>promtool</c> on exposition text.</summary>
public static class Promtool
{
    /// <summary>Pipes <paramref name="exposition"/> through <c>promtool check metrics</c>.</summary>
    /// <param name="exposition">Text or OpenMetrics exposition.</param>
    /// <returns>Exit code and everything promtool printed.</returns>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var process = ExternalProcess.Start("promtool", ["check", "metrics"]);
        await using (process)
        {
            await process.StandardInput.WriteAsync(exposition);
            process.StandardInput.Close();
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("promtool check metrics did not finish");
            }

            return (process.ExitCode, process.Output);
        }
    }
}
