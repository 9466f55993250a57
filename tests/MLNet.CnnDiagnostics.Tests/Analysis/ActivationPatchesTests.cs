using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class ActivationPatchesTests
{
    private const float Fill = -1f;
    private static readonly ReceptiveField Field = new(new ReceptiveFieldAxis(5, 2, -2), new ReceptiveFieldAxis(3, 3, -1));

    /// <summary>An image [C,6,7] whose pixel (c, row, col) holds 1000·image + 100·c + 10·row + col.</summary>
    private static FloatTensor Image(int channels = 2, int id = 0)
    {
        var t = new FloatTensor(channels, 6, 7);
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < 6; r++)
                for (int col = 0; col < 7; col++)
                    t[c, r, col] = 1000 * id + 100 * c + 10 * r + col;
        return t;
    }

    private static void AssertPatch(FloatTensor patch, int channels, int y, int x, int id = 0)
    {
        CollectionAssert.AreEqual(new[] { channels, 5, 3 }, patch.Shape);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 3; j++)
                {
                    int row = -2 + y * 2 + i, col = -1 + x * 3 + j; // start + position·jump + offset
                    float expected = row is >= 0 and < 6 && col is >= 0 and < 7 ? 1000 * id + 100 * c + 10 * row + col : Fill;
                    Assert.AreEqual(expected, patch[c, i, j], $"position ({y},{x}) channel {c} patch pixel ({i},{j})");
                }
    }

    [TestMethod]
    public void Cut_MatchesReceptiveFieldArithmetic_AtCornersAndInside()
    {
        var image = Image();
        // (0,0): top-left padding; (3,2): rows 4..8 and columns 5..7 run past the bottom-right corner; (1,1): inside.
        foreach (var (y, x) in new[] { (0, 0), (3, 2), (1, 1), (0, 2), (3, 0) })
            AssertPatch(ActivationPatches.Cut(image, Field, y, x, Fill), 2, y, x);
        Assert.AreEqual(new PixelRectangle(4, 5, 5, 3), Field.Rectangle(3, 2));
        AssertPatch(ActivationPatches.Cut(image.Reshape(1, 2, 6, 7), Field, 2, 1, Fill), 2, 2, 1);
    }

    [TestMethod]
    public void Grid_HoldsEachHitsPatch_InScanOrder()
    {
        const int channels = 3, h = 4, w = 3, k = 4, images = 6;
        var rng = new Random(9);
        var scan = new TopActivatingPatches(channels, k);
        scan.Add(new FloatTensor([images, channels, h, w], Enumerable.Range(0, images * channels * h * w).Select(_ => (float)rng.Next(20)).ToArray()), firstImageId: 10);
        int calls = 0;
        var grid = ActivationPatches.Grid(scan, Field, id => { calls++; return Image(1, (int)id); }, [2, 0], Fill);
        CollectionAssert.AreEqual(new[] { 2, k, 1, 5, 3 }, grid.Patches.Shape);
        Assert.IsLessThanOrEqualTo(images, calls, "each image is asked for once");
        for (int row = 0; row < 2; row++)
        {
            CollectionAssert.AreEqual(scan.Top(grid.Channels[row]).ToList(), grid.Hits[row].ToList());
            for (int slot = 0; slot < k; slot++)
            {
                var hit = grid.Hits[row][slot];
                var patch = new FloatTensor([1, 5, 3], grid.Patches.Data.AsSpan((row * k + slot) * 15, 15).ToArray());
                AssertPatch(patch, 1, hit.Y, hit.X, (int)hit.ImageId);
                Assert.AreEqual(Field.Rectangle(hit.Y, hit.X), grid.Rectangle(row, slot));
            }
        }
    }

    [TestMethod]
    public void BadInput_HasClearMessages()
    {
        var outside = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationPatches.Cut(Image(), Field, 10, 0));
        StringAssert.Contains(outside.Message, "wholly outside the 6×7 image");
        var flat = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationPatches.Cut(new FloatTensor(3, 42), Field, 0, 0));
        StringAssert.Contains(flat.Message, "[C, H, W]");
        var empty = new TopActivatingPatches(2, 3);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => ActivationPatches.Grid(empty, Field, _ => Image())).Message, "empty dataset");
    }
}
