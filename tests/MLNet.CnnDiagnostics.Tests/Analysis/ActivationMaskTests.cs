using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class ActivationMaskTests
{
    /// <summary>A 5×4 map that is linear in row and column (2·row + 3·col), so bilinear upsampling reproduces the line.</summary>
    private static FloatTensor LinearMap()
    {
        var t = new FloatTensor(1, 2, 5, 4);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 4; j++)
                t[0, 1, i, j] = 2 * i + 3 * j;
        return t;
    }

    [TestMethod]
    public void Upsampling_OfALinearMap_IsTheLineAtTheMappedCoordinates()
    {
        var mask = ActivationMask.Create(LinearMap(), 0, 1, threshold: 9f, imageHeight: 20, imageWidth: 12);
        for (int p = 0; p < 20; p++)
            for (int q = 0; q < 12; q++)
            {
                double sy = Math.Clamp((p + 0.5) * 5 / 20 - 0.5, 0, 4), sx = Math.Clamp((q + 0.5) * 4 / 12 - 0.5, 0, 3);
                Assert.AreEqual(2 * sy + 3 * sx, mask.Upsampled[p * 12 + q], 1e-5, $"pixel ({p},{q})");
            }
        // With a field: samples sit at field centres, start + (size−1)/2 + position·jump.
        var field = new ReceptiveField(new ReceptiveFieldAxis(9, 4, -3), new ReceptiveFieldAxis(5, 3, -1));
        var placed = ActivationMask.Create(LinearMap(), 0, 1, 9f, 20, 12, field);
        for (int p = 0; p < 20; p++)
            for (int q = 0; q < 12; q++)
            {
                double sy = Math.Clamp((p - 1.0) / 4, 0, 4), sx = Math.Clamp((q - 1.0) / 3, 0, 3);
                Assert.AreEqual(2 * sy + 3 * sx, placed.Upsampled[p * 12 + q], 1e-5, $"pixel ({p},{q}) with field");
            }
    }

    [TestMethod]
    public void Mask_IsThePixelsAboveTheThreshold_WithCoverageBoundsAndOverlay()
    {
        var mask = ActivationMask.Create(LinearMap(), 0, 1, threshold: 12f, imageHeight: 20, imageWidth: 12);
        int on = 0, top = int.MaxValue, left = int.MaxValue, bottom = 0, right = 0;
        for (int i = 0; i < mask.Mask.Length; i++)
        {
            bool above = mask.Upsampled[i] > 12f;
            Assert.AreEqual(above ? 1 : 0, mask.Mask[i]);
            if (!above) continue;
            on++;
            top = Math.Min(top, i / 12); bottom = Math.Max(bottom, i / 12 + 1);
            left = Math.Min(left, i % 12); right = Math.Max(right, i % 12 + 1);
        }
        Assert.IsTrue(on > 0 && on < mask.Mask.Length, "the threshold splits the image");
        Assert.AreEqual(on / 240.0, mask.Coverage, 1e-12);
        Assert.AreEqual(new PixelRectangle(top, left, bottom - top, right - left), mask.Bounds);
        var image = new FloatTensor([3, 20, 12], Enumerable.Range(0, 720).Select(i => (float)i).ToArray());
        var overlay = mask.ApplyTo(image, 0.5f);
        for (int i = 0; i < 720; i++)
            Assert.AreEqual(mask.Mask[i % 240] == 1 ? i : i * 0.5f, overlay.Data[i]);
        Assert.AreEqual(1.0, mask.IntersectionOverUnion(mask.Mask));
        Assert.AreEqual(0.0, mask.IntersectionOverUnion(mask.Mask.Select(b => (byte)(1 - b)).ToArray()));
    }

    [TestMethod]
    public void BadInput_HasClearMessages()
    {
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationMask.Create(new FloatTensor(1, 8), 0, 0, 0f, 8, 8)).Message, "spatial dimensions");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ActivationMask.Create(LinearMap(), 0, 2, 0f, 8, 8));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ActivationMask.Create(LinearMap(), 0, 1, 0f, 0, 8));
        var mask = ActivationMask.Create(LinearMap(), 0, 1, 0f, 8, 8);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => mask.ApplyTo(new FloatTensor(3, 9, 8))).Message, "8×8");
    }
}
