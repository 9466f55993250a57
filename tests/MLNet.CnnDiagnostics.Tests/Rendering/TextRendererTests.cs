using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class TextRendererTests
{
    [TestMethod]
    public void EmbeddedFont_IsDejaVuSans()
    {
        Assert.AreEqual("DejaVu Sans", TextRenderer.Typeface.FamilyName);
    }

    [TestMethod]
    public void Draw_PutsInkInsideTheMeasuredBox_AndNowhereElse()
    {
        var image = new RgbImage(120, 40, RgbColors.White);
        const int left = 5, top = 8;
        var (w, h) = TextRenderer.Measure("Filter 12", 16);
        TextRenderer.Draw(image, "Filter 12", left, top, 16, RgbColors.Black);
        int inked = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (image.GetPixel(x, y) != RgbColors.White)
                {
                    inked++;
                    Assert.IsTrue(x >= left && x <= left + w && y >= top && y < top + h, $"ink at ({x}, {y}) outside the text box");
                }
        Assert.IsGreaterThan(50, inked, "the embedded font should draw visible glyphs");
        Assert.IsTrue(Enumerable.Range(0, image.Width * image.Height).Any(i => image.Pixels[3 * i] < 64), "some pixels are (nearly) fully inked");
    }

    [TestMethod]
    public void Measure_GrowsWithTheText_AndWrapKeepsLinesWithinWidth()
    {
        Assert.IsGreaterThan(TextRenderer.Measure("conv1", 10).Width, TextRenderer.Measure("conv1 conv1", 10).Width);
        var lines = TextRenderer.Wrap("normalised over the whole layer, symmetric around 0", 10, 80);
        Assert.IsGreaterThan(1, lines.Count);
        foreach (var line in lines) Assert.IsLessThanOrEqualTo(80, TextRenderer.Measure(line, 10).Width, line);
        Assert.AreEqual("normalised over the whole layer, symmetric around 0", string.Join(" ", lines));
    }

    [TestMethod]
    public void Draw_ClipsAtTheImageEdge()
    {
        var image = new RgbImage(10, 10, RgbColors.White);
        TextRenderer.Draw(image, "WWWW", 4, -3, 14, RgbColors.Black); // must not throw
        Assert.IsTrue(image.Pixels.Any(b => b != 255));
    }
}
