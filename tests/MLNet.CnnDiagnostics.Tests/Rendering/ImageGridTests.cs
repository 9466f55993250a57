using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class ImageGridTests
{
    [TestMethod]
    public void Layout_FollowsTheFormula()
    {
        // 7 tiles → ⌈√7⌉ = 3 columns, 3 rows; 10×6 tiles, padding 4, label band 5, header 9
        var g = new ImageGrid(7, 10, 6, padding: 4, labelHeight: 5, headerHeight: 9);
        Assert.AreEqual((3, 3), (g.Columns, g.Rows));
        Assert.AreEqual(3 * 10 + 4 * 4, g.Width);
        Assert.AreEqual(9 + 3 * (6 + 5) + 4 * 4, g.Height);
        Assert.AreEqual((4, 9 + 4), g.TileOrigin(0));
        Assert.AreEqual((4 + 2 * 14, 9 + 4 + 15), g.TileOrigin(5));
        Assert.AreEqual((4, 9 + 4 + 2 * 15), g.TileOrigin(6));
        Assert.AreEqual(2, new ImageGrid(2, 5, 5, columns: 9).Columns, "never more columns than tiles");
    }

    [TestMethod]
    public void Compose_PlacesTilesExactly_AndRejectsWrongSizes()
    {
        var g = new ImageGrid(3, 2, 2, padding: 1, columns: 3);
        var tiles = new[] { RgbColors.Red, RgbColors.Lime, RgbColors.Blue }.Select(c => new RgbImage(2, 2, c)).ToList();
        var image = g.Compose(tiles, background: RgbColors.Black);
        Assert.AreEqual((10, 4), (image.Width, image.Height));
        Assert.AreEqual(RgbColors.Black, image.GetPixel(0, 1));
        Assert.AreEqual(RgbColors.Red, image.GetPixel(2, 2));
        Assert.AreEqual(RgbColors.Black, image.GetPixel(3, 1));
        Assert.AreEqual(RgbColors.Lime, image.GetPixel(4, 1));
        Assert.AreEqual(RgbColors.Blue, image.GetPixel(8, 2));
        tiles[1] = new RgbImage(3, 2);
        Assert.ThrowsExactly<ArgumentException>(() => g.Compose(tiles));
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => new ImageGrid(0, 2, 2));
    }

    [TestMethod]
    public void ColorBar_RunsFromMaxAtTopToMinAtBottom_WithLabels()
    {
        var bar = ColorBar.Render(Colormap.Grayscale, new ValueRange(-2, 2), 100);
        int top = TextRenderer.Measure("0", 10).Height / 2, bottom = 100 - 1 - top;
        Assert.AreEqual(RgbColors.White, bar.GetPixel(3, top));
        Assert.AreEqual(RgbColors.Black, bar.GetPixel(3, bottom));
        var mid = bar.GetPixel(3, (top + bottom) / 2);
        Assert.IsTrue(Math.Abs(mid.Red - 128) <= 2, $"middle row should be mid grey, was {mid}");
        Assert.IsTrue(Enumerable.Range(0, 100).Any(y => Enumerable.Range(ColorBar.StripWidth + 1, bar.Width - ColorBar.StripWidth - 1)
            .Any(x => bar.GetPixel(x, y) != RgbColors.White)), "value labels are drawn right of the strip");
    }
}
