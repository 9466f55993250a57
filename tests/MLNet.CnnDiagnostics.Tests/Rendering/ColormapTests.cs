using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class ColormapTests
{
    // Published viridis table entries 0, 128 and 255: (0.267004, 0.004874, 0.329415), (0.127568, 0.566949, 0.550556),
    // (0.993248, 0.906157, 0.143936), times 255 and rounded by hand.
    [TestMethod]
    public void Viridis_EndpointsAndMidpoint_AreThePublishedValues()
    {
        Assert.AreEqual(RgbColor.Parse("#440154"), Colormap.Viridis[0]);
        Assert.AreEqual(RgbColor.Parse("#21918c"), Colormap.Viridis[128]);
        Assert.AreEqual(RgbColor.Parse("#fde725"), Colormap.Viridis[255]);
        Assert.AreEqual(256, Colormap.Viridis.Count);
    }

    [TestMethod]
    public void Map_UsesFloorOf256T_LikeMatplotlib()
    {
        Assert.AreEqual(Colormap.Viridis[0], Colormap.Viridis.Map(0.0));
        Assert.AreEqual(Colormap.Viridis[128], Colormap.Viridis.Map(0.5));
        Assert.AreEqual(Colormap.Viridis[255], Colormap.Viridis.Map(1.0));
        Assert.AreEqual(Colormap.Viridis[63], Colormap.Viridis.Map(0.2499));
        Assert.AreEqual(Colormap.Viridis[255], Colormap.Viridis.Map(7.0), "values above 1 are clamped");
        Assert.AreEqual(Colormap.Viridis[0], Colormap.Viridis.Map(-3.0), "values below 0 are clamped");
    }

    [TestMethod]
    public void Grayscale_IsBlackToWhite()
    {
        Assert.AreEqual(new RgbColor(0, 0, 0), Colormap.Grayscale.Map(0));
        Assert.AreEqual(new RgbColor(128, 128, 128), Colormap.Grayscale.Map(0.5));
        Assert.AreEqual(new RgbColor(255, 255, 255), Colormap.Grayscale.Map(1));
    }

    [TestMethod]
    public void BlueWhiteRed_IsBlueAtMinus_WhiteAtZero_RedAtPlus()
    {
        var range = new ValueRange(-2, 2);
        Assert.IsTrue(Colormap.BlueWhiteRed.IsDiverging);
        Assert.AreEqual(RgbColor.Parse("#2166ac"), Colormap.BlueWhiteRed.Map(-2, range));
        Assert.AreEqual(RgbColor.Parse("#b2182b"), Colormap.BlueWhiteRed.Map(2, range));
        var zero = Colormap.BlueWhiteRed.Map(0, range);
        // entry 128 is t = 128/255, just past white towards red: (255, 255 - 0.0039·2·231, ...) ≈ (254, 253, 253)
        Assert.IsTrue(zero.Red >= 253 && zero.Green >= 252 && zero.Blue >= 252, $"zero should be near white, was {zero}");
    }

    [TestMethod]
    public void ValueRange_SymmetricOf_CentresZero()
    {
        var r = ValueRange.SymmetricOf([-0.5f, 2f, 1f]);
        Assert.AreEqual(-2.0, r.Min);
        Assert.AreEqual(2.0, r.Max);
        Assert.AreEqual(128, r.ToLevel(0));
        Assert.AreEqual(0, r.ToLevel(-2));
        Assert.AreEqual(255, r.ToLevel(2));
        Assert.AreEqual(0.5, new ValueRange(3, 3).Normalize(3), "a constant map takes the middle colour");
    }

    [TestMethod]
    public void BadValues_AreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Colormap.Viridis.Map(double.NaN));
        var ex = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ValueRange.Of([1f, float.NaN]));
        StringAssert.Contains(ex.Message, "NaN");
        Assert.ThrowsExactly<ArgumentException>(() => new ValueRange(2, 1));
    }
}
