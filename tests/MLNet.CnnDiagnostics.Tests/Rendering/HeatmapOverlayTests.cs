using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class HeatmapOverlayTests
{
    [TestMethod]
    public void Overlay_BlendsTheUpsampledMap_WithAlpha()
    {
        var picture = new RgbImage(4, 4, new RgbColor(100, 50, 200));
        var map = new FloatTensor([2, 2], [0f, 1f, 0f, 1f]);
        const double alpha = 0.25;
        var result = HeatmapOverlay.Render(picture, map, Colormap.Viridis, alpha);
        // Bilinear along x (see UpsamplingTests): 0, 0.25, 0.75, 1 on every row; range [0, 1]; level = floor(256 v).
        float[] column = [0f, 0.25f, 0.75f, 1f];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                var c = Colormap.Viridis[Math.Min(255, (int)(column[x] * 256))];
                var expected = new RgbColor(
                    (byte)Math.Round(0.75 * 100 + 0.25 * c.Red, MidpointRounding.AwayFromZero),
                    (byte)Math.Round(0.75 * 50 + 0.25 * c.Green, MidpointRounding.AwayFromZero),
                    (byte)Math.Round(0.75 * 200 + 0.25 * c.Blue, MidpointRounding.AwayFromZero));
                Assert.AreEqual(expected, result.GetPixel(x, y), $"({x}, {y})");
            }
        // Hand-computed corner: 0.75·(100, 50, 200) + 0.25·#440154 = (92, 37.75, 171) → (92, 38, 171).
        Assert.AreEqual(new RgbColor(92, 38, 171), result.GetPixel(0, 0));
    }

    [TestMethod]
    public void Overlay_AlphaZeroKeepsThePicture_AlphaOneShowsTheMap()
    {
        var picture = new RgbImage(3, 3, new RgbColor(10, 20, 30));
        var map = new FloatTensor([3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        CollectionAssert.AreEqual(picture.Pixels, HeatmapOverlay.Render(picture, map, alpha: 0).Pixels);
        var full = HeatmapOverlay.Render(picture, map, Colormap.Grayscale, alpha: 1);
        Assert.AreEqual(new RgbColor(0, 0, 0), full.GetPixel(0, 0));
        Assert.AreEqual(new RgbColor(255, 255, 255), full.GetPixel(2, 2));
        Assert.AreEqual(new RgbColor(128, 128, 128), full.GetPixel(1, 1), "4 of 0..8 is t = 0.5");
    }

    [TestMethod]
    public void Overlay_BadInput_IsRejected()
    {
        var picture = new RgbImage(2, 2);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HeatmapOverlay.Render(picture, new FloatTensor(2, 2), alpha: 1.5));
        var ex = Assert.ThrowsExactly<CnnDiagnosticsException>(() => HeatmapOverlay.Render(picture, new FloatTensor([1, 2], [0f, float.NaN])));
        StringAssert.Contains(ex.Message, "NaN");
    }
}
