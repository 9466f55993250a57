using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Tests.Reporting;

namespace MLNet.CnnDiagnostics.BrowserTests;

[TestClass]
public sealed class ReportPageTests
{
    private const int Points = 300;
    private static ReportBrowser _browser = null!;
    private static string _path = null!;

    [ClassInitialize]
    public static async Task LaunchAsync(TestContext _)
    {
        _browser = await ReportBrowser.LaunchAsync();
        _path = Path.Combine(AppContext.BaseDirectory, "artifacts", "synthetic-report.html");
        HtmlReportWriter.WriteWithSummary(SyntheticReport.Build(Points), _path);
    }

    [ClassCleanup]
    public static async Task CloseAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [TestMethod]
    public async Task SyntheticReportIsHealthyInChromium()
    {
        string screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "report-screenshot.png");
        var findings = await ReportPageChecks.AssertHealthyAsync(_browser, _path, Points, screenshot);
        CollectionAssert.AreEqual(SyntheticReport.SectionIds, findings.SectionIds.ToArray());
        // 3 figures, 3 gallery rows of 6 tiles, 1 tile in the sanity section
        Assert.AreEqual(3 + 18 + 1, findings.Images);
        Assert.IsGreaterThan(1.0, findings.ZoomAfterWheel!.Value);
        Assert.IsTrue(File.Exists(screenshot));
        Assert.IsTrue(findings.Requests.Any(u => u.StartsWith("file:")), "the page itself is a file: request");
    }

    [TestMethod]
    public async Task HostileTextDoesNotRun()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_path).AbsoluteUri);
        Assert.IsTrue(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        StringAssert.Contains(await page.Locator("#sanity h2").InnerTextAsync(), "<script>window.__pwned = 1;</script>");
        await page.Context.CloseAsync();
    }

    [TestMethod]
    public async Task LegendHidesAClassAndColourCanFollowThePrediction()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_path).AbsoluteUri);
        await page.Locator("figure.scatter[data-ready=true]").WaitForAsync();
        int ofClass3 = await page.Locator("circle.pt[data-label='3']").CountAsync();
        Assert.AreEqual(Points / 10, ofClass3);
        await page.Locator(".scatter-legend button[data-class='3']").ClickAsync();
        Assert.AreEqual(ofClass3, await page.Locator("circle.pt.off").CountAsync());
        Assert.AreEqual(ofClass3, await page.Locator("circle.pt.off[data-label='3']").CountAsync());
        await page.Locator(".scatter-legend button[data-class='3']").ClickAsync();
        Assert.AreEqual(0, await page.Locator("circle.pt.off").CountAsync());

        // a misclassified point takes its prediction's colour, which is the colour of correctly predicted points of that class
        string wrongLabel = (await page.Locator("circle.pt.wrong").First.GetAttributeAsync("data-label"))!;
        string wrongPrediction = (await page.Locator("circle.pt.wrong").First.GetAttributeAsync("data-prediction"))!;
        string fillBefore = (await page.Locator("circle.pt.wrong").First.GetAttributeAsync("fill"))!;
        Assert.AreEqual(await ColourOfClassAsync(page, wrongLabel), fillBefore);
        await page.Locator("input[type=radio][value=prediction]").CheckAsync();
        string fillAfter = (await page.Locator("circle.pt.wrong").First.GetAttributeAsync("fill"))!;
        Assert.AreEqual(await ColourOfClassAsync(page, wrongPrediction), fillAfter);
        Assert.AreNotEqual(fillBefore, fillAfter);
        await page.Context.CloseAsync();
    }

    [TestMethod]
    public async Task NarrowWindowDoesNotScrollSideways()
    {
        var page = await _browser.NewPageAsync(width: 420, height: 800);
        await page.GotoAsync(new Uri(_path).AbsoluteUri);
        int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.IsLessThanOrEqualTo(1, overflow);
        await page.Context.CloseAsync();
    }

    [TestMethod]
    public async Task ThreeThousandPointsWithoutThumbnailsAreAllDrawn()
    {
        var report = new DiagnosticReport();
        var section = new ReportSection("embedding", "Embedding");
        section.Blocks.Add(new ScatterBlock(SyntheticReport.Points(3000, classes: 25).Select(p => p with { ThumbnailPng = null }).ToList(), "label"));
        report.Sections.Add(section);
        string path = Path.Combine(AppContext.BaseDirectory, "artifacts", "large-scatter.html");
        HtmlReportWriter.Write(report, path);
        var findings = await ReportPageChecks.AssertHealthyAsync(_browser, path, 3000, requireThumbnails: false);
        Assert.AreEqual(0, findings.Images);
    }

    // the legend's swatch colour of a class, as the fill attribute writes it
    private static async Task<string> ColourOfClassAsync(Microsoft.Playwright.IPage page, string cls) =>
        await page.EvaluateAsync<string>($"() => {{ const c = document.querySelector(\"circle.pt:not(.wrong)[data-label='{cls}']\"); return c.getAttribute('fill'); }}");
}
