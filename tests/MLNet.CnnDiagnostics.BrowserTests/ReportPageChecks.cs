using System.Text.Json;
using Microsoft.Playwright;

namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>
/// Opens any report file in Chromium and checks what a reader needs: no console errors, no network request, every image
/// decodes, the contents link to every section, one scatter point per row, a tooltip with a thumbnail on hover, and
/// zoom, pan and reset that move points as a map should. Call it from any test class of this project:
/// <c>await ReportPageChecks.AssertHealthyAsync(browser, path, expectedPoints: rows, screenshotPath: ...)</c>.
/// </summary>
public static class ReportPageChecks
{
    /// <summary>As the other overload, launching (and closing) a browser of its own.</summary>
    public static async Task<ReportPageFindings> AssertHealthyAsync(string reportPath, int expectedPoints, string? screenshotPath = null, bool requireThumbnails = true)
    {
        await using var browser = await ReportBrowser.LaunchAsync();
        return await AssertHealthyAsync(browser, reportPath, expectedPoints, screenshotPath, requireThumbnails);
    }

    /// <summary>
    /// Runs every check on the report at <paramref name="reportPath"/>; <paramref name="expectedPoints"/> is the number of
    /// scatter points over the whole page (0 when it has no scatter). A screenshot of the page (and one of the first scatter
    /// with its tooltip, "-scatter" added to the name) is saved when <paramref name="screenshotPath"/> is given.
    /// </summary>
    public static async Task<ReportPageFindings> AssertHealthyAsync(ReportBrowser browser, string reportPath, int expectedPoints,
        string? screenshotPath = null, bool requireThumbnails = true)
    {
        ArgumentNullException.ThrowIfNull(browser);
        Assert.IsTrue(File.Exists(reportPath), $"report '{reportPath}' does not exist");
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => errors.Add($"uncaught: {e}");
        page.Request += (_, r) => { lock (requests) requests.Add(r.Url); };
        try
        {
            await page.GotoAsync(new Uri(Path.GetFullPath(reportPath)).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('figure.scatter')].every(f => f.dataset.ready === 'true' || f.querySelector('p.note'))");
            await page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete)");

            using var layout = await JsonAsync(page, """
                () => JSON.stringify({
                  sections: [...document.querySelectorAll('section.report-section')].map(s => s.id),
                  links: [...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href')),
                  images: [...document.images].map(i => ({ w: i.naturalWidth, h: i.naturalHeight, src: (i.getAttribute('src') || '').slice(0, 30) })),
                  declared: [...document.querySelectorAll('figure.scatter')].reduce((n, f) => n + Number(f.dataset.points), 0),
                  points: document.querySelectorAll('figure.scatter svg circle.pt').length,
                  overflow: document.documentElement.scrollWidth - window.innerWidth
                })
                """);
            var root = layout.RootElement;
            var sections = root.GetProperty("sections").EnumerateArray().Select(e => e.GetString()!).ToList();
            var links = root.GetProperty("links").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.IsNotEmpty(sections, "the report has no section");
            CollectionAssert.AreEqual(sections.Select(s => "#" + s).ToList(), links, "the contents must link to every section, in order");
            int images = 0;
            foreach (var image in root.GetProperty("images").EnumerateArray())
            {
                images++;
                Assert.IsGreaterThan(0, image.GetProperty("w").GetInt32(), $"image {images} ({image.GetProperty("src").GetString()}...) did not decode");
                Assert.IsGreaterThan(0, image.GetProperty("h").GetInt32(), $"image {images} has no height");
            }
            Assert.AreEqual(expectedPoints, root.GetProperty("declared").GetInt32(), "points declared by the scatter figures");
            Assert.AreEqual(expectedPoints, root.GetProperty("points").GetInt32(), "points drawn in the scatters");
            Assert.IsLessThanOrEqualTo(1, root.GetProperty("overflow").GetInt32(), "the page scrolls sideways");
            var overlaps = await FindOverlapsAsync(page);
            Assert.IsEmpty(overlaps, "captions and images overlap:\n" + string.Join("\n", overlaps.Take(20)));

            if (screenshotPath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(screenshotPath))!);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshotPath, FullPage = true });
            }

            int? tooltipRow = null;
            double? zoom = null;
            if (expectedPoints > 0)
            {
                tooltipRow = await CheckTooltipAsync(page, requireThumbnails);
                if (screenshotPath is not null)
                    await page.Locator("figure.scatter").First.ScreenshotAsync(new LocatorScreenshotOptions
                    {
                        Path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(screenshotPath))!, Path.GetFileNameWithoutExtension(screenshotPath) + "-scatter.png"),
                    });
                zoom = await CheckZoomPanResetAsync(page);
            }

            Assert.IsEmpty(errors, "the page logged errors:\n" + string.Join("\n", errors));
            List<string> outside;
            lock (requests) outside = requests.Where(u => !u.StartsWith("file:", StringComparison.Ordinal) && !u.StartsWith("data:", StringComparison.Ordinal)).ToList();
            Assert.IsEmpty(outside, "the page made network requests:\n" + string.Join("\n", outside));
            lock (requests) return new ReportPageFindings(sections, images, expectedPoints, requests.ToList(), zoom, tooltipRow);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    // hovers a point that is on top at its own centre, so the tooltip must name exactly that point's row
    /// <summary>
    /// Every place where a caption's text (its line boxes, measured with a Range) overlaps another caption's text or an
    /// image of a figure or gallery, and every caption whose text is wider than its own box (it would paint over a neighbour).
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindOverlapsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return await page.EvaluateAsync<string[]>("""
            () => {
              const texts = '.gallery figcaption, .gallery-label, .gallery .caption, .figure figcaption, .key-numbers dt, .key-numbers dd';
              const boxes = [];
              for (const el of document.querySelectorAll(texts)) {
                const range = document.createRange();
                range.selectNodeContents(el);
                for (const b of range.getClientRects())
                  if (b.width > 0 && b.height > 0) boxes.push({ el, kind: 'text', b, label: el.textContent.slice(0, 40) });
              }
              for (const el of document.querySelectorAll('.gallery img, .figure img')) {
                const b = el.getBoundingClientRect();
                if (b.width > 0 && b.height > 0) boxes.push({ el, kind: 'image', b, label: (el.getAttribute('alt') || '').slice(0, 40) });
              }
              const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
              const found = [];
              for (let i = 0; i < boxes.length; i++)
                for (let j = i + 1; j < boxes.length; j++) {
                  const a = boxes[i], b = boxes[j];
                  if (a.el === b.el || (a.kind === 'image' && b.kind === 'image')) continue;
                  if (hit(a.b, b.b)) found.push(`${a.kind} "${a.label}" overlaps ${b.kind} "${b.label}"`);
                }
              for (const el of document.querySelectorAll(texts))
                if (el.scrollWidth > el.clientWidth + 1) found.push(`text "${el.textContent.slice(0, 40)}" is wider than its box`);
              return found;
            }
            """);
    }

    private static async Task<int> CheckTooltipAsync(IPage page, bool requireThumbnails)
    {
        await page.Locator("figure.scatter svg.scatter-plot").First.ScrollIntoViewIfNeededAsync();
        var target = await TopmostPointAsync(page);
        await page.Mouse.MoveAsync(target.X - 30, target.Y - 30);
        await page.Mouse.MoveAsync(target.X, target.Y, new MouseMoveOptions { Steps = 4 });
        var tooltip = page.Locator("figure.scatter .scatter-tooltip").First;
        await tooltip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 5_000 });
        Assert.AreEqual(target.Row.ToString(), await tooltip.GetAttributeAsync("data-row"), "the tooltip shows another point than the one hovered");
        StringAssert.Contains(await tooltip.InnerTextAsync(), "label");
        if (requireThumbnails)
        {
            await page.WaitForFunctionAsync("() => { const i = document.querySelector('figure.scatter .scatter-tooltip img'); return i && i.complete; }");
            int width = await page.EvaluateAsync<int>("() => document.querySelector('figure.scatter .scatter-tooltip img').naturalWidth");
            Assert.IsGreaterThan(0, width, "the tooltip's thumbnail did not decode");
        }
        return target.Row;
    }

    // one wheel step zooms about the cursor: a point's distance from the cursor grows by the zoom factor; a drag moves it by the drag
    private static async Task<double> CheckZoomPanResetAsync(IPage page)
    {
        var svg = page.Locator("figure.scatter svg.scatter-plot").First;
        var box = (await svg.BoundingBoxAsync())!;
        float cx = box.X + box.Width / 2, cy = box.Y + box.Height / 2;
        var before = await TopmostPointAsync(page);
        await page.Mouse.MoveAsync(cx, cy);
        await page.Mouse.WheelAsync(0, -300);
        await page.WaitForFunctionAsync("() => Number(document.querySelector('figure.scatter svg.scatter-plot').dataset.zoom) > 1.01");
        double zoom = await page.EvaluateAsync<double>("() => Number(document.querySelector('figure.scatter svg.scatter-plot').dataset.zoom)");
        var zoomed = await PointAsync(page, before.Index);
        Assert.AreEqual(cx + (before.X - cx) * zoom, zoomed.X, 1.0, "zoom must keep the point under the cursor fixed");
        Assert.AreEqual(cy + (before.Y - cy) * zoom, zoomed.Y, 1.0, "zoom must keep the point under the cursor fixed");

        await page.Mouse.MoveAsync(cx, cy);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(cx + 60, cy + 30, new MouseMoveOptions { Steps = 6 });
        await page.Mouse.UpAsync();
        await page.WaitForTimeoutAsync(100);
        var panned = await PointAsync(page, before.Index);
        Assert.AreEqual(zoomed.X + 60, panned.X, 1.5, "a drag must move the map with the mouse");
        Assert.AreEqual(zoomed.Y + 30, panned.Y, 1.5, "a drag must move the map with the mouse");

        await page.Locator("figure.scatter .scatter-reset").First.ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('figure.scatter svg.scatter-plot').dataset.zoom === '1.0000'");
        var back = await PointAsync(page, before.Index);
        Assert.AreEqual(before.X, back.X, 0.5, "reset must restore the first view");
        Assert.AreEqual(before.Y, back.Y, 0.5, "reset must restore the first view");
        return zoom;
    }

    private sealed record ScreenPoint(int Index, int Row, float X, float Y);

    private static async Task<ScreenPoint> TopmostPointAsync(IPage page)
    {
        using var json = await JsonAsync(page, """
            () => {
              const circles = document.querySelector('figure.scatter').querySelectorAll('circle.pt');
              for (const c of circles) {
                const b = c.getBoundingClientRect(), x = b.left + b.width / 2, y = b.top + b.height / 2;
                if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
                if (document.elementFromPoint(x, y) === c) return JSON.stringify({ index: +c.dataset.index, row: +c.dataset.row, x, y });
              }
              return JSON.stringify(null);
            }
            """);
        Assert.AreEqual(JsonValueKind.Object, json.RootElement.ValueKind, "no scatter point is visible on screen");
        return Read(json.RootElement);
    }

    private static async Task<ScreenPoint> PointAsync(IPage page, int index)
    {
        using var json = await JsonAsync(page, $$"""
            () => {
              const c = document.querySelector('figure.scatter').querySelectorAll('circle.pt')[{{index}}];
              const b = c.getBoundingClientRect();
              return JSON.stringify({ index: {{index}}, row: +c.dataset.row, x: b.left + b.width / 2, y: b.top + b.height / 2 });
            }
            """);
        return Read(json.RootElement);
    }

    private static ScreenPoint Read(JsonElement e) =>
        new(e.GetProperty("index").GetInt32(), e.GetProperty("row").GetInt32(), e.GetProperty("x").GetSingle(), e.GetProperty("y").GetSingle());

    private static async Task<JsonDocument> JsonAsync(IPage page, string script) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>(script));
}
