using Microsoft.Playwright;
using MLNet.CnnDiagnostics.Tests.MLNet;

namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>The report of a 28-px grayscale CNN in Chromium: readable thumbnails, no caption over a tile or another caption, failed checks in red.</summary>
[TestClass]
public sealed class GrayscaleReportPageTests
{
    private const int Rows = 60;

    [TestMethod]
    [DataRow(GrayscaleReports.Path.FoldedNormalization)]
    [DataRow(GrayscaleReports.Path.ScaledPixels)]
    public async Task SmallGrayscaleReport_HasReadableThumbnails_NoOverlappingCaptions_AndFailedChecksInRed(GrayscaleReports.Path path)
    {
        string html = Path.Combine(AppContext.BaseDirectory, "artifacts", $"grayscale-{path}.html");
        var report = GrayscaleReports.Fit(path, html, Rows, steps: 10).Report;
        await using var browser = await ReportBrowser.LaunchAsync();
        // AssertHealthyAsync fails on any overlap of caption text with another caption or an image
        await ReportPageChecks.AssertHealthyAsync(browser, html, Rows, Path.ChangeExtension(html, ".png"));

        var page = await browser.NewPageAsync(900, 900);
        try
        {
            await page.GotoAsync(new Uri(html).AbsoluteUri);
            // a narrow window wraps the galleries: still no overlap
            Assert.IsEmpty(await ReportPageChecks.FindOverlapsAsync(page));
            // every gallery tile is shown at least 48 px wide, from an image at least 48 px wide
            var sizes = await page.EvaluateAsync<int[][]>("() => [...document.querySelectorAll('.gallery img')].map(i => [i.naturalWidth, i.naturalHeight, Math.round(i.getBoundingClientRect().width)])");
            Assert.IsNotEmpty(sizes);
            foreach (var s in sizes)
            {
                Assert.IsGreaterThanOrEqualTo(48, Math.Min(s[0], s[1]), "image enlarged to at least 48 px");
                Assert.IsGreaterThanOrEqualTo(48, s[2], "tile shown at least 48 px wide");
            }
            int patchTiles = await page.Locator("#investigation .gallery figure.tile").CountAsync();
            Assert.IsGreaterThan(8, patchTiles, "patches, masks and class visualizations are gallery tiles with HTML captions");

            // the random CNN fails the randomization test (ρ above 0.5): its headline is drawn in the report's red
            Assert.IsFalse(report.Summary.Sanity.RandomizationPassed);
            var failed = page.Locator(".key-numbers div.fail dd");
            Assert.IsGreaterThan(0, await failed.CountAsync());
            Assert.AreEqual("rgb(207, 34, 46)", await failed.First.EvaluateAsync<string>("e => getComputedStyle(e).color"));
            Assert.AreNotEqual("rgb(207, 34, 46)", await page.Locator(".key-numbers div.pass dd").First.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [TestMethod]
    public async Task FindOverlaps_ReportsCaptionsOverTilesOrEachOther_AndTextWiderThanItsBox()
    {
        await using var browser = await ReportBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        try
        {
            const string tile = "<figure class='tile' style='width:60px;margin:0'><img src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' width='48' height='48' style='display:block;width:48px;height:48px'>";
            await page.SetContentAsync("<div class='gallery'><div style='display:flex;gap:4px'>" +
                tile + "<figcaption style='margin-top:-20px'>over the image</figcaption></figure>" +
                tile + "<figcaption style='white-space:nowrap;overflow:visible'>ch 24 #1: 2.5624 #2: 2.5</figcaption></figure>" +
                tile + "<figcaption>fits</figcaption></figure></div></div>");
            var found = await ReportPageChecks.FindOverlapsAsync(page);
            Assert.IsTrue(found.Any(f => f.Contains("\"over the image\" overlaps image") || f.Contains("image \"\" overlaps text \"over the image\"")), string.Join("\n", found));
            Assert.IsTrue(found.Any(f => f.Contains("wider than its box")), string.Join("\n", found));
            Assert.IsTrue(found.Any(f => f.Contains("\"ch 24 #1: 2.5624 #2: 2.5\" overlaps text \"fits\"")), "a caption running into the next tile's caption: " + string.Join("\n", found));

            await page.SetContentAsync("<div class='gallery'><div style='display:flex;gap:4px'>" + tile + "<figcaption>a caption</figcaption></figure>" + tile + "<figcaption>another</figcaption></figure></div></div>");
            Assert.IsEmpty(await ReportPageChecks.FindOverlapsAsync(page), "separate tiles do not overlap");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
