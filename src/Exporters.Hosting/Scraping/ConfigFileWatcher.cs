using Exporters.Hosting.Configuration;

namespace Exporters.Hosting.Scraping;

/// <summary>
/// Reloads the configuration when its file changes: file-system events for prompt reloads, and a periodic content
/// check because a Kubernetes ConfigMap update swaps a symlink that events do not always report.
/// </summary>
/// <param name="manager">The runtime manager.</param>
/// <param name="settings">Process settings.</param>
/// <param name="timeProvider">The clock.</param>
internal sealed class ConfigFileWatcher(RuntimeManager manager, HostSettings settings, TimeProvider timeProvider) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.ConfigFile is not { } file)
        {
            return;
        }

        using var watcher = CreateWatcher(file);
        using var timer = new PeriodicTimer(settings.ConfigCheckInterval.IsZero ? TimeSpan.FromSeconds(10) : settings.ConfigCheckInterval, timeProvider);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var signal = _changed.WaitAsync(stoppingToken);
            try
            {
                var fired = await Task.WhenAny(tick, signal);
                if (fired == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    await signal;

                    // Editors and ConfigMap updates write in several steps; let them finish.
                    await Task.Delay(TimeSpan.FromMilliseconds(300), timeProvider, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (manager.FileChanged())
            {
                await manager.ReloadAsync();
            }
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    private FileSystemWatcher? CreateWatcher(string file)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime };
        FileSystemEventHandler onChange = (_, _) => Signal();
        watcher.Changed += onChange;
        watcher.Created += onChange;
        watcher.Deleted += onChange;
        watcher.Renamed += (_, _) => Signal();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void Signal()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
