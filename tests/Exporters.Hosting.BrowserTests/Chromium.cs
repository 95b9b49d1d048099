using System.Globalization;
using Microsoft.Playwright;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Exporters.Hosting.BrowserTests;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, installed by scripts/lib.sh) driven by Playwright in a fresh profile.
/// Playwright never downloads a browser here. Everything the page does that a person would notice goes wrong is
/// collected in <see cref="Problems"/>: console errors, script errors, failed requests, and any request that leaves
/// the host under test.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>The browser every test uses.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;
    private readonly List<string> _problems = [];

    private Chromium(IPlaywright playwright, IBrowserContext context, IPage page, string profile, string origin)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Record($"console {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Record("page error: " + error);
        page.RequestFailed += (_, request) => Record($"request failed: {request.Url} ({request.Failure})");
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                Record("request outside the host: " + request.Url);
            }
        };
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>What went wrong in the browser so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Where screenshots go: <c>$EXPORTERS_TEST_RESULTS/screenshots</c>, else <c>TestResults/screenshots</c> beside the test assembly.</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("EXPORTERS_TEST_RESULTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(AppContext.BaseDirectory, "TestResults");
            var directory = Path.Combine(root, "screenshots");
            Directory.CreateDirectory(directory);
            return directory;
        }
    }

    /// <summary>Starts chromium with a fresh profile and one page.</summary>
    /// <param name="origin">The host under test (<c>http://127.0.0.1:port</c>); requests anywhere else are problems.</param>
    /// <param name="width">Viewport width in CSS pixels.</param>
    /// <param name="height">Viewport height.</param>
    /// <param name="phone">Whether to emulate a phone (mobile viewport, touch, 2x pixels).</param>
    /// <param name="dark">Whether the page is asked for its dark colour scheme.</param>
    /// <returns>The browser.</returns>
    public static async Task<Chromium> LaunchAsync(string origin, int width = 1440, int height = 900, bool phone = false, bool dark = false)
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: scripts/test installs Debian's chromium (apt-get install chromium)");

        // Playwright must never fetch a browser of its own; the pod and CI have no internet either.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var profile = Path.Combine(Path.GetTempPath(), "exporters-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Args = Arguments,
                Headless = true,
                Timeout = 60_000,
                ViewportSize = new ViewportSize { Width = width, Height = height },
                IsMobile = phone,
                HasTouch = phone,
                DeviceScaleFactor = phone ? 2 : 1,
                ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
                Locale = "en-US",
                TimezoneId = "UTC",
            });
            context.SetDefaultTimeout(20_000);
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            return new Chromium(playwright, context, page, profile, origin);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits for it to load; fails unless it answers 200.</summary>
    /// <param name="url">The address.</param>
    /// <returns>The response.</returns>
    public async Task<IResponse> OpenAsync(string url)
    {
        var response = await Page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        return response;
    }

    /// <summary>Saves a screenshot as <c>name.png</c> in <see cref="ScreenshotDirectory"/>.</summary>
    /// <param name="name">The file name without extension.</param>
    /// <returns>The path.</returns>
    /// <param name="fullPage">Whether to take the whole page rather than what the viewport shows.</param>
    public async Task<string> ScreenshotAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is empty");
        return path;
    }

    /// <summary>Fails when anything went wrong in the browser.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, "problems in the browser:\n" + string.Join("\n", Problems));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be writing to its profile while it exits; the directory is temporary.
        }
    }

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(string.Create(CultureInfo.InvariantCulture, $"{problem}"));
        }
    }
}
