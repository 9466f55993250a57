using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class RgbImageTests
{
    public TestContext TestContext { get; set; } = null!;

    private static RgbImage Gradient(int w, int h)
    {
        var image = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                image.SetPixel(x, y, new RgbColor((byte)(x * 20), (byte)(y * 30), (byte)((x * y) % 256)));
        return image;
    }

    [TestMethod]
    public void Png_RoundTrip_KeepsEveryPixel()
    {
        var image = Gradient(11, 7);
        var png = image.EncodePng();
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
        var back = RgbImage.DecodePng(png);
        Assert.AreEqual((11, 7), (back.Width, back.Height));
        CollectionAssert.AreEqual(image.Pixels, back.Pixels);
    }

    [TestMethod]
    public void SavePng_WritesADecodableFile()
    {
        string path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), "rendering", "gradient.png");
        Gradient(5, 5).SavePng(path);
        CollectionAssert.AreEqual(Gradient(5, 5).Pixels, RgbImage.DecodePng(File.ReadAllBytes(path)).Pixels);
    }

    [TestMethod]
    public void FromChw_UndoesMeanStd_AndReordersBgr()
    {
        // torchvision-style: value = (pixel/1 − mean)/std; pixel 0.6 with mean 0.5, std 0.25 is stored as 0.4 → 0.6·255 = 153
        var chw = new FloatTensor([3, 1, 2], [0.4f, -2f, 0f, 2f, -1f, 10f]);
        var image = RgbImage.FromChw(chw, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f], maxValue: 1f);
        Assert.AreEqual(new RgbColor(153, 128, 64), image.GetPixel(0, 0)); // 0.5 → 127.5 rounds to 128; 0.25 → 63.75 → 64
        Assert.AreEqual(new RgbColor(0, 255, 255), image.GetPixel(1, 0), "clamped to 0..255");
        var bgr = RgbImage.FromChw(new FloatTensor([1, 3, 1, 1], [10f, 20f, 30f]), [], [], channelsAreBgr: true);
        Assert.AreEqual(new RgbColor(30, 20, 10), bgr.GetPixel(0, 0));
        var gray = RgbImage.FromChw(new FloatTensor([1, 1, 1], [77f]), [], []);
        Assert.AreEqual(new RgbColor(77, 77, 77), gray.GetPixel(0, 0));
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => RgbImage.FromChw(new FloatTensor(2, 4, 4), [], []));
    }

    [TestMethod]
    public void ScaleNearest_AndDraw_CopyExactly()
    {
        var small = Gradient(3, 2);
        var big = small.ScaleNearest(4);
        Assert.AreEqual((12, 8), (big.Width, big.Height));
        for (int y = 0; y < 8; y++) for (int x = 0; x < 12; x++) Assert.AreEqual(small.GetPixel(x / 4, y / 4), big.GetPixel(x, y));
        var canvas = new RgbImage(5, 5, RgbColors.White);
        canvas.Draw(small, 3, 4); // clipped to 2×1
        Assert.AreEqual(small.GetPixel(1, 0), canvas.GetPixel(4, 4));
        Assert.AreEqual(RgbColors.White, canvas.GetPixel(2, 4));
    }
}
