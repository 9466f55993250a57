using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class UpsamplingTests
{
    private static readonly FloatTensor TwoByTwo = new([2, 2], [0f, 1f, 2f, 3f]);

    // Pixel-centre sampling: output x of 4 reads source (x + 0.5)/2 − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    [TestMethod]
    public void Bilinear_2x2To4x4_MatchesHandComputedValues()
    {
        float[] expected =
        [
            0.0f, 0.25f, 0.75f, 1.0f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.0f, 2.25f, 2.75f, 3.0f,
        ];
        var up = Upsampling.Bilinear(TwoByTwo, 4, 4);
        CollectionAssert.AreEqual(new[] { 4, 4 }, up.Shape);
        for (int i = 0; i < 16; i++) Assert.AreEqual(expected[i], up.Data[i], 1e-6f, $"pixel {i}");
    }

    [TestMethod]
    public void Bilinear_OfALinearRamp_IsTheRampAtTheSampleCoordinate()
    {
        // f(y, x) = 3x − 2y is reproduced exactly by bilinear interpolation away from the clamped border.
        var map = new FloatTensor(5, 7);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 7; x++) map[y, x] = 3 * x - 2 * y;
        var up = Upsampling.Bilinear(map, 15, 21);
        for (int y = 2; y < 13; y++)
            for (int x = 2; x < 19; x++)
            {
                double sx = (x + 0.5) / 3 - 0.5, sy = (y + 0.5) / 3 - 0.5;
                Assert.AreEqual(3 * sx - 2 * sy, up[y, x], 1e-5, $"({x}, {y})");
            }
    }

    [TestMethod]
    public void NearestNeighbour_IntegerFactor_RepeatsEachValueAsABlock()
    {
        var up = Upsampling.NearestNeighbour(TwoByTwo, 6, 6);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                Assert.AreEqual(TwoByTwo[y / 3, x / 3], up[y, x]);
    }

    [TestMethod]
    public void BadInput_IsRejected()
    {
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => Upsampling.Bilinear(new FloatTensor(1, 2, 2), 4, 4));
        Assert.ThrowsExactly<ArgumentException>(() => Upsampling.Bilinear(TwoByTwo, 0, 4));
    }
}
