using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx.Proto;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// Backward graphs written to stay in ONNX Runtime's blocked NCHWc layout: ReLU and ReLU6 masks on 16-channel maps as a
/// depthwise Conv + Clip times the gradient, and constant BatchNormalization scales folded into the Conv gradients' kernels.
/// Central finite differences check the values; the op types written prove which path each test took.
/// </summary>
[TestClass]
public sealed class BlockedLayoutBackwardTests
{
    private const double Tolerance = 2e-3;

    private static GraphProto BackwardGraph(GradientEngine engine) => engine.GraphFor(null, [engine.InputName]).ToModelGraph().Proto.Graph;

    private static List<string> BackwardOps(GraphProto graph) =>
        graph.Node.Where(n => n.Name.StartsWith("grad/", StringComparison.Ordinal)).Select(n => n.OpType).ToList();

    [TestMethod]
    public void ReluAndClipMasks_OnSixteenChannelMaps_AreConvsAndMatchFiniteDifferences()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.Inconclusive("blocked-layout masks are written only where ONNX Runtime has NCHWc kernels (x64 with AVX2)");
        var m = new TinyModel([1, 16, 6, 5]);
        m.Node("Conv", ["x", m.Weight("w1", 16, 16, 3, 3), m.Weight("b1", 16)], "a", Is("pads", 1, 1, 1, 1));
        m.Node("Relu", ["a"], "r");
        m.Node("Conv", ["r", m.Weight("w2", 32, 16, 1, 1)], "c");
        m.Node("Clip", ["c", m.Scalar("lo", 0f), m.Scalar("hi", 0.75f)], "y");
        using var engine = new GradientEngine(m.Build("y"));

        var ops = BackwardOps(BackwardGraph(engine));
        foreach (var comparison in new[] { "Where", "Greater", "Less", "And" }) CollectionAssert.DoesNotContain(ops, comparison, string.Join(", ", ops));
        Assert.AreEqual(3, ops.Count(o => o == "Clip"), "one ReLU mask and one mask per Clip bound: " + string.Join(", ", ops));
        // both Clip bounds are reached at the checked input, so both masks matter
        var c = engine.Evaluate(FiniteDifferences.SeparatedInput(m.InputShape, 7), new ClassTarget(0, "y"), ["c"]).Outputs["c"].Data;
        Assert.IsTrue(c.Any(v => v < 0) && c.Any(v => v > 0.75f) && c.Any(v => v is > 0 and < 0.75f), "the pre-clip values should fall on both sides of both bounds");
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void GradientSum_ConvPartsFirst_ThenTheOthers()
    {
        // x feeds two Convs, a MaxPool branch (as GoogLeNet's inception) and a Relu: its gradient has four parts; the two
        // Conv gradients are summed on their own, then with the pool's and the Relu's
        var m = new TinyModel([1, 16, 6, 6]);
        m.Node("Conv", ["x", m.Weight("w1", 16, 16, 1, 1)], "a");
        m.Node("Conv", ["x", m.Weight("w2", 16, 16, 3, 3)], "b", Is("pads", 1, 1, 1, 1));
        m.Node("MaxPool", ["x"], "p", Is("kernel_shape", 3, 3), Is("strides", 1, 1), Is("pads", 1, 1, 1, 1));
        m.Node("Relu", ["x"], "r");
        m.Node("Concat", ["a", "b", "p", "r"], "y", I("axis", 1));
        using var engine = new GradientEngine(m.Build("y"));

        var graph = BackwardGraph(engine);
        var convOutputs = graph.Node.Where(n => n.OpType == "Conv" && n.Name.StartsWith("grad/", StringComparison.Ordinal)).SelectMany(n => n.Output).ToHashSet();
        var sums = graph.Node.Where(n => n.OpType == "Sum").ToList();
        Assert.AreEqual(2, sums.Count, "an inner Sum of the Conv gradients and an outer one");
        Assert.IsTrue(sums.Any(s => s.Input.Count == 2 && s.Input.All(convOutputs.Contains)), "the inner Sum reads the two Conv gradients");
        Assert.IsTrue(sums.Any(s => s.Input.Count == 3), "the outer Sum adds the pool's and the Relu's parts");
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void ReluMask_IsExactDownToTheSmallestNormalFloat()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.Inconclusive("blocked-layout masks are written only where ONNX Runtime has NCHWc kernels (x64 with AVX2)");
        var m = new TinyModel([1, 16, 1, 2]);
        m.Node("Relu", ["x"], "y");
        using var engine = new GradientEngine(m.Build("y"));
        CollectionAssert.Contains(BackwardOps(BackwardGraph(engine)), "Clip");

        float[] values = [1.17549435e-38f, 3e-38f, 1e-30f, 2e-8f, 1f, 1e30f, 0f, -0f, -1.2e-38f, -1f, -1e30f];
        var x = new FloatTensor(1, 16, 1, 2);
        for (int i = 0; i < x.Length; i++) x.Data[i] = values[i % values.Length];
        var weights = FiniteDifferences.RandomInput([x.Length], 3).Data;
        var g = engine.Compute(x, new WeightedTarget(weights)).Gradients[engine.InputName].Data;
        for (int i = 0; i < x.Length; i++)
            Assert.AreEqual(x.Data[i] > 0 ? weights[i] : 0f, g[i], $"x = {x.Data[i]:R}");
    }

    [TestMethod]
    public void BatchNormalizationScales_FoldIntoGroupedAndStridedConvGradients()
    {
        var m = new TinyModel([1, 16, 7, 6]);
        m.Node("Conv", ["x", m.Weight("w1", 32, 8, 3, 3)], "a", I("group", 2), Is("pads", 1, 1, 1, 1));
        m.Node("BatchNormalization", ["a", m.Weight("s1", 32), m.Weight("t1", 32), m.Weight("m1", 32), m.Positive("v1", 32)], "bn", F("epsilon", 1e-3f));
        m.Node("Relu", ["bn"], "r");
        m.Node("Conv", ["r", m.Weight("w2", 16, 32, 3, 3)], "c", Is("strides", 2, 2), Is("pads", 1, 1, 1, 1));
        m.Node("BatchNormalization", ["c", m.Weight("s2", 16), m.Weight("t2", 16), m.Weight("m2", 16), m.Positive("v2", 16)], "y");
        using var engine = new GradientEngine(m.Build("y"));

        var graph = BackwardGraph(engine);
        var channelVectors = graph.Initializer.Where(t => t.Dims.Count == 3 && t.Dims[1] == 1 && t.Dims[2] == 1).Select(t => t.Name).ToHashSet();
        var scaled = graph.Node.Where(n => n.Name.StartsWith("grad/", StringComparison.Ordinal) && n.OpType == "Mul" && n.Input.Any(channelVectors.Contains)).ToList();
        Assert.IsEmpty(scaled, "both scales should be in the Conv gradients' kernels: " + string.Join(", ", scaled.Select(n => n.Name)));
        CollectionAssert.DoesNotContain(BackwardOps(graph), "Sqrt");
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }
}
