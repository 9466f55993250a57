using Microsoft.Playwright;

namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>
/// Debian's Chromium driven by Playwright, headless and quiet (no background networking, no updates), for opening reports.
/// Launch one per test class: <c>await using var browser = await ReportBrowser.LaunchAsync();</c>.
/// </summary>
public sealed class ReportBrowser : IAsyncDisposable
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser (Playwright's own browser download cannot work offline).</summary>
    public const string DefaultExecutable = "/usr/bin/chromium";

    private static readonly string[] QuietArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
    ];

    private readonly IPlaywright _playwright;

    private ReportBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The launched browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts Playwright's driver and launches Chromium (the <c>CNNDIAG_CHROMIUM</c> variable overrides the executable).</summary>
    public static async Task<ReportBrowser> LaunchAsync()
    {
        string executable = Environment.GetEnvironmentVariable("CNNDIAG_CHROMIUM") is { Length: > 0 } custom ? custom : DefaultExecutable;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Chromium not found at '{executable}': install Debian's 'chromium' package or set CNNDIAG_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = QuietArguments,
                Timeout = 60_000,
            });
            return new ReportBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page of the given size in its own context.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    /// <summary>Closes the browser and the driver.</summary>
    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
