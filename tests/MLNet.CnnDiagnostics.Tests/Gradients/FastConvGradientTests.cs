using MLNet.CnnDiagnostics.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// A Conv's input gradient as an ordinary Conv over flipped, channel-transposed kernels (stride 1) or a stride-phase
/// decomposition (stride &gt; 1): central finite differences on geometries that stress the phase bookkeeping, and the
/// op types written, so each test also proves which path it checked.
/// </summary>
[TestClass]
public sealed class FastConvGradientTests
{
    private const double Tolerance = 2e-3;

    private static void AssertMatches(TinyModel m, string output, bool expectTranspose = false)
    {
        var bytes = m.Build(output);
        using var engine = new GradientEngine(bytes);
        var ops = engine.GraphFor(null, [engine.InputName]).ToModelGraph().Proto.Graph.Node
            .Where(n => n.Name.StartsWith("grad/", StringComparison.Ordinal)).Select(n => n.OpType).ToList();
        Assert.AreEqual(expectTranspose, ops.Contains("ConvTranspose"), string.Join(", ", ops));
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void Stride1_AsymmetricPads_Dilation()
    {
        var m = new TinyModel([1, 8, 9, 8]);
        m.Node("Conv", ["x", m.Weight("w", 8, 8, 3, 3), m.Weight("b", 8)], "a", Is("pads", 1, 0, 2, 1));
        m.Node("Conv", ["a", m.Weight("w2", 2, 8, 3, 2)], "y", Is("dilations", 2, 3), Is("pads", 3, 1, 0, 2));
        AssertMatches(m, "y");
    }

    // input [1, C, H, W], kernel (out, in, kh, kw), pads (top, left, bottom, right), strides
    [TestMethod]
    [DataRow(new[] { 1, 8, 12, 11 }, new[] { 4, 8, 7, 7 }, new long[] { 3, 3, 2, 2 }, new long[] { 2, 2 }, DisplayName = "7x7/2 asymmetric pads, as ResNet's stem")]
    [DataRow(new[] { 1, 8, 13, 10 }, new[] { 3, 8, 5, 4 }, new long[] { 4, 3, 2, 0 }, new long[] { 3, 2 }, DisplayName = "stride 3x2, kernel 5x4, pads beyond the stride")]
    [DataRow(new[] { 1, 8, 17, 3 }, new[] { 4, 8, 6, 1 }, new long[] { 1, 0, 3, 0 }, new long[] { 4, 1 }, DisplayName = "stride 4, tall kernel")]
    public void Strided(int[] input, int[] kernel, long[] pads, long[] strides)
    {
        var m = new TinyModel(input);
        m.Node("Conv", ["x", m.Weight("w", kernel), m.Weight("b", kernel[0])], "y", Is("pads", pads), Is("strides", strides));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void KernelSmallerThanStride_EmptyPhases_And1x1Downsample()
    {
        var m = new TinyModel([1, 8, 10, 9]);
        m.Node("Conv", ["x", m.Weight("w", 2, 8, 2, 2)], "a", Is("strides", 3, 3));
        m.Node("Conv", ["x", m.Weight("w2", 2, 8, 1, 1)], "b", Is("strides", 2, 2));
        m.Node("ReduceSum", ["a", m.Ints("ax", 2, 3)], "sa", I("keepdims", 0));
        m.Node("ReduceSum", ["b", m.Ints("bx", 2, 3)], "sb", I("keepdims", 0));
        m.Node("Concat", ["sa", "sb"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Groups_Depthwise_SameLower()
    {
        var m = new TinyModel([1, 8, 9, 10]);
        m.Node("Conv", ["x", m.Weight("w", 8, 4, 3, 3)], "a", I("group", 2), S("auto_pad", "SAME_LOWER"));
        m.Node("Conv", ["a", m.Weight("w2", 8, 1, 3, 3)], "y", I("group", 8), Is("pads", 1, 1, 1, 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    [DataRow(0, DisplayName = "computed weights")]
    [DataRow(1, DisplayName = "dilated and strided")]
    [DataRow(2, DisplayName = "grouped and strided (depthwise)")]
    [DataRow(3, DisplayName = "few input channels (an image stem)")]
    public void FallBackToConvTranspose(int which)
    {
        var m = new TinyModel([1, which == 3 ? 3 : 8, 9, 9]);
        int c = m.InputShape[1];
        switch (which)
        {
            case 0:
                m.Node("Mul", [m.Weight("w", 3, c, 3, 3), m.Scalar("half", 0.5f)], "wh");
                m.Node("Conv", ["x", "wh"], "y", Is("pads", 1, 1, 1, 1));
                break;
            case 1: m.Node("Conv", ["x", m.Weight("w", 2, c, 2, 2)], "y", Is("strides", 2, 2), Is("dilations", 2, 2)); break;
            case 2: m.Node("Conv", ["x", m.Weight("w", c, 1, 3, 3)], "y", I("group", c), Is("strides", 2, 2), Is("pads", 1, 1, 1, 1)); break;
            default: m.Node("Conv", ["x", m.Weight("w", 4, c, 3, 3)], "y", Is("pads", 1, 1, 1, 1)); break;
        }
        AssertMatches(m, "y", expectTranspose: true);
    }
}
