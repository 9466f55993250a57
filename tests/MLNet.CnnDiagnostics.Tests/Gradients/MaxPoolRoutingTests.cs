using MLNet.CnnDiagnostics.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// MaxPool's backward pass: without Indices/ScatterElements where windows do not overlap (each window offset compared with
/// the maximum, parts interleaved back as stride phases), with them where they overlap or are dilated. Central finite
/// differences on window geometries that stress the phases and borders, the route each takes, and exact tie routing (the
/// first maximum in row-major order takes the gradient, as PyTorch and ORT route it).
/// </summary>
[TestClass]
public sealed class MaxPoolRoutingTests
{
    private const double Tolerance = 2e-3;

    private static GradientEngine Engine(TinyModel m, bool expectScatter)
    {
        var engine = new GradientEngine(m.Build("y"));
        var ops = engine.GraphFor(null, [engine.InputName]).ToModelGraph().Proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.AreEqual(expectScatter, ops.Contains("ScatterElements"), string.Join(", ", ops));
        return engine;
    }

    // input [1, C, H, W], kernel, strides, pads (top, left, bottom, right), ceil_mode
    [TestMethod]
    [DataRow(new[] { 1, 2, 9, 9 }, new long[] { 3, 3 }, new long[] { 2, 2 }, new long[] { 1, 1, 1, 1 }, 0, DisplayName = "3x3/2 pads 1, as ResNet's")]
    [DataRow(new[] { 1, 2, 7, 9 }, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 }, 0, DisplayName = "2x2/2 on odd sizes: inputs no window reaches")]
    [DataRow(new[] { 1, 2, 8, 9 }, new long[] { 3, 3 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 }, 1, DisplayName = "3x3/2 ceil_mode, as SqueezeNet's")]
    [DataRow(new[] { 1, 3, 7, 8 }, new long[] { 3, 2 }, new long[] { 1, 2 }, new long[] { 1, 0, 1, 1 }, 0, DisplayName = "3x2, strides 1x2, asymmetric pads")]
    [DataRow(new[] { 1, 2, 10, 8 }, new long[] { 2, 2 }, new long[] { 3, 3 }, new long[] { 0, 0, 0, 0 }, 0, DisplayName = "kernel smaller than the stride")]
    [DataRow(new[] { 1, 2, 7, 9 }, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 }, 1, DisplayName = "2x2/2 ceil_mode on odd sizes")]
    [DataRow(new[] { 1, 3, 10, 11 }, new long[] { 3, 2 }, new long[] { 3, 2 }, new long[] { 1, 0, 1, 1 }, 0, DisplayName = "3x2/3x2 with pads")]
    [DataRow(new[] { 1, 2, 11, 10 }, new long[] { 5, 4 }, new long[] { 2, 3 }, new long[] { 2, 1, 2, 2 }, 1, DisplayName = "5x4, strides 2x3, ceil_mode")]
    public void MatchesFiniteDifferences(int[] input, long[] kernel, long[] strides, long[] pads, int ceil)
    {
        var m = new TinyModel(input);
        m.Node("MaxPool", ["x"], "y", Is("kernel_shape", kernel), Is("strides", strides), Is("pads", pads), I("ceil_mode", ceil));
        using var engine = Engine(m, expectScatter: kernel.Where((k, i) => k > strides[i]).Any());
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void SameUpperAutoPad()
    {
        var m = new TinyModel([1, 2, 8, 7]);
        m.Node("MaxPool", ["x"], "y", Is("kernel_shape", 2, 2), Is("strides", 2, 2), S("auto_pad", "SAME_UPPER"));
        using var engine = Engine(m, expectScatter: false);
        Assert.IsLessThan(Tolerance, FiniteDifferences.Check(engine, m.InputShape));
    }

    [TestMethod]
    public void Dilated_FallsBackToIndicesAndScatter()
    {
        var m = new TinyModel([1, 2, 9, 9]);
        m.Node("MaxPool", ["x"], "y", Is("kernel_shape", 2, 2), Is("dilations", 2, 2), Is("strides", 1, 1));
        using var engine = Engine(m, expectScatter: true);
        Assert.IsLessThan(Tolerance, FiniteDifferences.Check(engine, m.InputShape));
    }

    [TestMethod]
    [DataRow(3, 2, 1, DisplayName = "overlapping 3x3/2 pads 1")]
    [DataRow(2, 2, 0, DisplayName = "non-overlapping 2x2/2")]
    public void Ties_GoToTheFirstMaximumInRowMajorOrder(int k, int s, int p)
    {
        const int channels = 2, h = 9, w = 8;
        var m = new TinyModel([1, channels, h, w]);
        m.Node("MaxPool", ["x"], "y", Is("kernel_shape", k, k), Is("strides", s, s), Is("pads", p, p, p, p));
        using var engine = Engine(m, expectScatter: k > s);
        var random = new Random(3);
        var x = new FloatTensor(1, channels, h, w);
        for (int i = 0; i < x.Length; i++) x.Data[i] = random.Next(3);        // values 0, 1, 2: many ties
        var ys = engine.Builder.ItemShape(engine.Builder.DefaultTarget);
        var weights = FiniteDifferences.RandomInput([ys.Aggregate(1, (a, d) => a * d)], 5).Data;
        var gradient = engine.Compute(x, new WeightedTarget(weights)).Gradients[engine.InputName].Data;

        var expected = new double[x.Length];
        int oh = ys[1], ow = ys[2];
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            int best = -1;
            for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                int r = i * s - p + a, q = j * s - p + b;
                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                int at = (c * h + r) * w + q;
                if (best < 0 || x.Data[at] > x.Data[best]) best = at;
            }
            expected[best] += weights[(c * oh + i) * ow + j];
        }
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], gradient[i], 1e-5, $"element {i}");
    }
}
