using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// The empirical receptive field of issue 5: the input gradient of one unit of ResNet18 is exactly zero outside the
/// computed field (clipped to the image), and not zero near the field's centre.
/// </summary>
[TestClass]
public sealed class ReceptiveFieldGradientTests
{
    [TestMethod]
    public void ResNet18_InputGradientOfAUnit_IsZeroOutsideItsReceptiveField()
    {
        var model = ResNet18Fixture.Model;
        var fields = ReceptiveFieldCalculator.Compute(model);
        var engine = ResNet18GradientTests.Engine;
        var x = ResNet18GradientTests.SmoothImages(1, 31);
        // the first block of layer2 and of layer3 (Plus299, Plus331): the first residual additions whose positions are 8 and 16 pixels apart
        var adds = model.Layers.Where(l => l.OpType == "Add" && fields.TryGet(l.Name, out _)).Select(l => l.Name).ToList();
        string layer2 = adds.First(a => fields[a].Y.Jump == 8), layer3 = adds.First(a => fields[a].Y.Jump == 16);
        string[] layers = ["Convolution249", "Pooling255", layer2, layer3];
        foreach (var layer in layers)
        {
            string tensor = model.ResolveTensor(layer);
            var activation = engine.Evaluate(x, new ClassTarget(0), [tensor]).Outputs[tensor];
            var field = fields[layer];
            var (h, w) = fields.SpatialSize(layer);
            foreach (var (y, col) in new[] { (0, 0), (h / 2, w / 2), (h - 1, w / 3) })
            {
                // the most active channel at this position: a unit cut off by a ReLU (or losing a max pool) has no gradient at all
                int channels = activation.Shape[1];
                int channel = Enumerable.Range(0, channels).MaxBy(c => activation[0, c, y, col]);
                var g = engine.Compute(x, new UnitTarget(tensor, channel, y, col)).Gradients[engine.InputName];
                var rect = field.Rectangle(y, col).ClipTo(224, 224);
                int top = 224, bottom = -1, left = 224, right = -1;
                for (int c = 0; c < 3; c++)
                for (int r = 0; r < 224; r++)
                for (int q = 0; q < 224; q++)
                {
                    if (g[0, c, r, q] == 0) continue;
                    top = Math.Min(top, r); bottom = Math.Max(bottom, r); left = Math.Min(left, q); right = Math.Max(right, q);
                }
                string where = $"{layer} unit ({channel},{y},{col}), field {rect}";
                Console.WriteLine($"{where}: gradient non-zero in rows [{top}, {bottom + 1}) × columns [{left}, {right + 1})");
                Assert.IsTrue(bottom >= 0, $"{where}: the input gradient is zero everywhere");
                Assert.IsTrue(top >= rect.Top && bottom < rect.Bottom && left >= rect.Left && right < rect.Right, $"{where}: a pixel outside the field has a gradient");
                if (layer == "Convolution249")   // a linear conv: its gradient is its 7×7×3 kernel, so it fills the whole field
                    Assert.AreEqual(rect, new PixelRectangle(top, left, bottom + 1 - top, right + 1 - left), where);
                // non-zero near the centre: within an eighth of the field's size (at least one pixel) of it
                int cy = (int)Math.Round(field.Y.Center(y)), cx = (int)Math.Round(field.X.Center(col));
                int ry = Math.Max(1, field.Y.Size / 8), rx = Math.Max(1, field.X.Size / 8);
                bool nearCentre = false;
                for (int c = 0; c < 3 && !nearCentre; c++)
                for (int r = Math.Max(0, cy - ry); r <= Math.Min(223, cy + ry) && !nearCentre; r++)
                for (int q = Math.Max(0, cx - rx); q <= Math.Min(223, cx + rx) && !nearCentre; q++)
                    nearCentre = g[0, c, r, q] != 0;
                Assert.IsTrue(nearCentre, $"{where}: the gradient is zero within ({ry},{rx}) pixels of the centre ({cy},{cx})");
            }
        }
    }
}
