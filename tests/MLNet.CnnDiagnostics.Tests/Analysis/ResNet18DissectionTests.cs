using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class ResNet18DissectionTests
{
    [TestMethod]
    public void TopHits_OnRealActivations_LieInsideTheirMasks_AndTheirPatchesAreTheImagePixels()
    {
        var g = ResNet18Fixture.Model;
        const string layer = "Pooling255"; // 56×56, field 11 px, jump 4, start −5: centres fall on pixels 4y, 4x
        string tensor = g.ResolveTensor(layer);
        var field = ReceptiveFieldCalculator.Compute(g)[layer];
        using var exec = new OnnxExecutor(g.WithOutputs([layer]));
        var images = Enumerable.Range(0, 6).Select(i => ResNet18Fixture.Digits(1, first: 20 + i)).ToArray();
        var maps = images.Select(im => exec.Run(im, [tensor])[tensor]).ToArray();
        int channels = maps[0].Shape[1];
        var top = new TopActivatingPatches(channels, 3);
        var quantiles = new ActivationQuantiles(channels);
        for (int i = 0; i < images.Length; i++)
        {
            top.Add(maps[i], firstImageId: i);
            quantiles.Add(maps[i]);
        }
        var thresholds = quantiles.TopThresholds();
        var grid = ActivationPatches.Grid(top, field, id => images[id], [0, 5, 17], fill: float.NaN);
        int masked = 0;
        for (int row = 0; row < grid.Channels.Count; row++)
        {
            int ch = grid.Channels[row];
            var best = grid.Hits[row][0];
            Assert.AreEqual(maps[best.ImageId][0, ch, best.Y, best.X], best.Value);
            var mask = ActivationMask.Create(maps[best.ImageId], 0, ch, thresholds[ch], 224, 224, field);
            int cy = (int)field.Y.Center(best.Y), cx = (int)field.X.Center(best.X);
            Assert.AreEqual(best.Value, mask.Upsampled[cy * 224 + cx], 1e-4f * Math.Max(1, best.Value), "the field centre samples the hit itself");
            Assert.IsGreaterThanOrEqualTo(thresholds[ch], best.Value, "a unit's best hit is at least its top-0.5% threshold");
            if (best.Value > thresholds[ch])
            {
                Assert.AreEqual(1, mask.Mask[cy * 224 + cx], $"channel {ch}: the top hit lies in its mask");
                masked++;
            }
            var rect = grid.Rectangle(row, 0);
            for (int i = 0; i < rect.Height; i++)
                for (int j = 0; j < rect.Width; j++)
                {
                    int r = rect.Top + i, c = rect.Left + j;
                    float patch = grid.Patches[row, 0, 1, i, j];
                    if (r is >= 0 and < 224 && c is >= 0 and < 224) Assert.AreEqual(images[best.ImageId][0, 1, r, c], patch);
                    else Assert.IsTrue(float.IsNaN(patch), "padding holds the fill value");
                }
        }
        Assert.IsGreaterThan(0, masked, "some top hit lies strictly above its threshold");
    }
}
