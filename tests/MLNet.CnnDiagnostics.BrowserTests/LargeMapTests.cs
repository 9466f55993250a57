using System.Text.Json;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Tests.Reporting;

namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>
/// The embedding map of a whole-dataset scan: 100,000 points drawn on one canvas, zoomed and panned in Chromium with the
/// frame times and the page's memory measured, and hovering still finding a point and its thumbnail.
/// </summary>
[TestClass]
public sealed class LargeMapTests
{
    private const int Points = 100_000;
    private static ReportBrowser _browser = null!;
    private static string _path = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task LaunchAsync(TestContext _)
    {
        _browser = await ReportBrowser.LaunchAsync();
        _path = Path.Combine(AppContext.BaseDirectory, "artifacts", "large-map.html");
        var report = new DiagnosticReport { Title = "100,000 points", CreatedUtc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc) };
        var section = new ReportSection("embedding", "Embedding space");
        section.Blocks.Add(new ScatterBlock(SyntheticReport.Points(Points), "label", "t-SNE of 100,000 points"));
        report.Sections.Add(section);
        HtmlReportWriter.WriteWithSummary(report, _path);
    }

    [ClassCleanup]
    public static async Task CloseAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [TestMethod]
    public async Task HundredThousandPoints_ZoomAndPanWithinAFrameBudget_OnOneCanvas()
    {
        var page = await _browser.NewPageAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(new Uri(_path).AbsoluteUri);
        await page.Locator("figure.scatter[data-ready=true]").WaitForAsync(new() { Timeout = 60_000 });
        double loadSeconds = clock.Elapsed.TotalSeconds;
        Assert.AreEqual("canvas", await page.Locator("figure.scatter").GetAttributeAsync("data-renderer"));
        Assert.AreEqual(0, await page.Locator("circle.pt").CountAsync(), "no SVG element per point");
        Assert.AreEqual(Points, await page.EvaluateAsync<int>("() => window.cnndiagScatter.plots[0].count"));

        // 80 frames of alternating zoom (in, then out) and pan, as wheel and drag would do, each awaited to the next frame
        var result = await page.EvaluateAsync<JsonElement>(@"async () => {
            const api = window.cnndiagScatter.plots[0];
            const next = () => new Promise(r => requestAnimationFrame(r));
            const before = api.drawTimes().length;
            let last = await next();
            const frames = [];
            for (let i = 0; i < 80; i++) {
              if (i % 2) api.zoom(400, 280, i < 40 ? 1.12 : 1 / 1.12); else api.pan(6, -4);
              const t = await next();
              frames.push(t - last);
              last = t;
            }
            return { frames: frames, draws: api.drawTimes().slice(before), heap: performance.memory ? performance.memory.usedJSHeapSize : -1 };
        }");
        var frames = result.GetProperty("frames").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
        var draws = result.GetProperty("draws").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
        double heapMb = result.GetProperty("heap").GetDouble() / (1 << 20);
        double P(double[] xs, double q) => xs[Math.Min(xs.Length - 1, (int)(q * xs.Length))];
        string line = $"{Points} points: page ready in {loadSeconds:F1} s; frame interval median {P(frames, 0.5):F1} ms, p95 {P(frames, 0.95):F1} ms, max {frames[^1]:F1} ms; " +
            $"canvas draw median {P(draws, 0.5):F1} ms, p95 {P(draws, 0.95):F1} ms ({draws.Length} draws); JS heap {heapMb:F0} MB";
        TestContext.WriteLine(line);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "artifacts", "large-map-timings.txt"), line + "\n");
        Assert.IsGreaterThanOrEqualTo(80, draws.Length, "every zoom or pan step redraws the canvas");
        Assert.IsLessThan(16.0, P(draws, 0.5), $"median canvas draw of {Points} points: {P(draws, 0.5):F1} ms, goal under 16 ms");
        Assert.IsLessThan(250.0, heapMb, $"JS heap {heapMb:F0} MB");
    }

    [TestMethod]
    public async Task HoveringAPoint_ShowsItsRowAndThumbnail_WithoutPerPointElements()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_path).AbsoluteUri);
        await page.Locator("figure.scatter[data-ready=true]").WaitForAsync(new() { Timeout = 60_000 });
        // zoom in about one point so that points stand apart, then aim at it
        var target = await page.EvaluateAsync<JsonElement>(@"async () => {
            const api = window.cnndiagScatter.plots[0];
            const svg = document.querySelector('svg.scatter-plot').getBoundingClientRect();
            const p = api.screenPoints()[12345];
            api.zoom((p.x - svg.left) * 800 / svg.width, (p.y - svg.top) * 560 / svg.height, 40);
            await new Promise(r => requestAnimationFrame(r));
            return api.screenPoints()[12345];
        }");
        await page.Mouse.MoveAsync((float)target.GetProperty("x").GetDouble(), (float)target.GetProperty("y").GetDouble());
        var tip = page.Locator(".scatter-tooltip");
        await tip.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Visible, Timeout = 5_000 });
        int shown = int.Parse((await tip.GetAttributeAsync("data-index"))!);
        var shownAt = await page.EvaluateAsync<JsonElement>($"() => window.cnndiagScatter.plots[0].screenPoints()[{shown}]");
        double dx = shownAt.GetProperty("x").GetDouble() - target.GetProperty("x").GetDouble(), dy = shownAt.GetProperty("y").GetDouble() - target.GetProperty("y").GetDouble();
        Assert.IsLessThan(6.0, Math.Sqrt(dx * dx + dy * dy), "the tooltip belongs to the point under the pointer");
        Assert.AreEqual(1, await tip.Locator("img").CountAsync(), "the point's thumbnail is shown");
        StringAssert.Contains(await tip.InnerTextAsync(), $"row: {await page.EvaluateAsync<int>($"() => window.cnndiagScatter.plots[0].screenPoints()[{shown}].row")}");
    }
}
