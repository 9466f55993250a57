using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class ActivationMapRendererTests
{
    private static readonly RgbColor Background = new(10, 200, 30);

    private static FloatTensor Activations(int c, int h, int w)
    {
        var t = new FloatTensor(c, h, w);
        for (int k = 0; k < c; k++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    t[k, y, x] = (k + 1) * (x + 2 * y) - k;   // channel k: its own offset and gain
        return t;
    }

    private static ActivationGridOptions Bare(int scale) => new()
    {
        Scale = scale, ShowLabels = false, ShowLegend = false, ShowColorBar = false, Background = Background,
    };

    [TestMethod]
    public void Grid_PerChannel_ColoursEachTileFromItsOwnRange()
    {
        var a = Activations(5, 4, 4);
        var r = ActivationMapRenderer.RenderGrid(a, Bare(3));
        // ⌈√5⌉ = 3 columns, 2 rows of 12-pixel tiles, padding 2
        Assert.AreEqual(3 * 12 + 4 * 2, r.Image.Width);
        Assert.AreEqual(2 * 12 + 3 * 2, r.Image.Height);
        for (int k = 0; k < 5; k++)
        {
            // channel k spans −k .. (k+1)·9 − k; level = floor(256·(v − min)/(max − min)), capped at 255
            double min = -k, max = (k + 1) * 9 - k;
            var (x0, y0) = r.Grid.TileOrigin(k);
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 12; x++)
                {
                    double v = a[k, y / 3, x / 3];
                    int level = Math.Min(255, (int)Math.Floor(256 * (v - min) / (max - min)));
                    Assert.AreEqual(Colormap.Viridis[level], r.Image.GetPixel(x0 + x, y0 + y), $"channel {k} ({x}, {y})");
                }
        }
        Assert.AreEqual(Background, r.Image.GetPixel(r.Image.Width - 1, r.Image.Height - 1), "the empty sixth cell is background");
    }

    [TestMethod]
    public void Grid_PerLayer_SharesOneRange()
    {
        var a = new FloatTensor([2, 1, 2], [0f, 1f, 0f, 2f]);
        var r = ActivationMapRenderer.RenderGrid(a, Bare(1) with { Normalization = ActivationNormalization.PerLayer, Columns = 2, Padding = 0 });
        Assert.AreEqual(Colormap.Viridis[0], r.Image.GetPixel(0, 0));
        Assert.AreEqual(Colormap.Viridis[128], r.Image.GetPixel(1, 0), "1 of 0..2");
        Assert.AreEqual(Colormap.Viridis[255], r.Image.GetPixel(3, 0));
        StringAssert.Contains(r.Legend[1], "[0, 2]");
    }

    [TestMethod]
    public void Grid_ColorBar_IsAttachedRightOfTheGrid()
    {
        var a = Activations(4, 6, 6);
        var r = ActivationMapRenderer.RenderGrid(a, Bare(8) with { ShowColorBar = true });
        Assert.IsGreaterThan(r.Grid.Width + ColorBar.StripWidth, r.Image.Width);
        Assert.AreEqual(r.Grid.Height, r.Image.Height);
        // strip: top row = last colour, bottom row = first colour, 6 px right of the grid, text-height/2 from the top
        int stripX = r.Grid.Width + 6 + ColorBar.StripWidth / 2;
        int top = TextRenderer.Measure("0", 10).Height / 2;
        Assert.AreEqual(Colormap.Viridis[255], r.Image.GetPixel(stripX, top));
        Assert.AreEqual(Colormap.Viridis[0], r.Image.GetPixel(stripX, r.Image.Height - 1 - top));
    }

    [TestMethod]
    public void Grid_WithLabelsAndLegend_DrawsText()
    {
        var r = ActivationMapRenderer.RenderGrid(Activations(3, 5, 5), new ActivationGridOptions { LayerName = "relu1", Background = Background });
        r.Image.SavePng(Path.Combine(AppContext.BaseDirectory, "artifacts", "activation-grid-synthetic.png"));
        StringAssert.Contains(r.Legend[0], "relu1: 3 channels of 5×5");
        Assert.IsGreaterThan(0, r.Grid.HeaderHeight);
        Assert.IsTrue(Enumerable.Range(0, r.Image.Width).Any(x => r.Image.GetPixel(x, r.Grid.HeaderHeight / 2) != Background), "legend ink");
    }

    [TestMethod]
    public void Overlay_UpsamplesTheChosenChannelOrTheMean()
    {
        var picture = new RgbImage(8, 8, new RgbColor(40, 80, 120));
        var a = Activations(3, 2, 2);
        var options = new OverlayOptions { Alpha = 0.5 };
        var one = ActivationMapRenderer.RenderOverlay(picture, a, 1, options);
        var channel1 = new FloatTensor([2, 2], [a[1, 0, 0], a[1, 0, 1], a[1, 1, 0], a[1, 1, 1]]);
        CollectionAssert.AreEqual(HeatmapOverlay.Render(picture, channel1, alpha: 0.5).Pixels, one.Pixels);
        var mean = new FloatTensor(2, 2);
        for (int k = 0; k < 3; k++) for (int p = 0; p < 4; p++) mean.Data[p] += a.Data[k * 4 + p] / 3f;
        CollectionAssert.AreEqual(HeatmapOverlay.Render(picture, mean, alpha: 0.5).Pixels, ActivationMapRenderer.RenderOverlay(picture, a, null, options).Pixels);
        var withBar = ActivationMapRenderer.RenderOverlay(picture, a, 0, options with { ShowColorBar = true });
        Assert.IsGreaterThan(picture.Width, withBar.Width);
        ActivationMapRenderer.RenderOverlay(new RgbImage(96, 96, new RgbColor(40, 80, 120)), a, 0, options with { ShowColorBar = true })
            .SavePng(Path.Combine(AppContext.BaseDirectory, "artifacts", "activation-overlay-synthetic.png"));
    }

    [TestMethod]
    public void BadInput_GivesClearExceptions()
    {
        var flat = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationMapRenderer.RenderGrid(new FloatTensor(4, 4)));
        StringAssert.Contains(flat.Message, "[C, H, W]");
        var a = Activations(2, 3, 3);
        a[1, 2, 2] = float.NaN;
        var nan = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationMapRenderer.RenderGrid(a));
        StringAssert.Contains(nan.Message, "NaN");
        var picture = new RgbImage(4, 4);
        var channel = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ActivationMapRenderer.RenderOverlay(picture, Activations(2, 3, 3), 5));
        StringAssert.Contains(channel.Message, "channel 5");
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationMapRenderer.RenderGrid(new FloatTensor(0, 3, 3)));
    }
}
