using MLNet.CnnDiagnostics.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>Every backward rule against central finite differences on small random models.</summary>
[TestClass]
public sealed class BackwardRuleTests
{
    // float32 central differences with step 1e-3 on O(1) values: about 1e-4 of round-off, so 2e-3 leaves margin
    private const double Tolerance = 2e-3;

    private static void AssertMatches(TinyModel m, string output, int seed = 7)
    {
        double error = FiniteDifferences.Check(m.Build(output), m.InputShape, seed);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void Conv_AsymmetricPadsStride2()
    {
        var m = new TinyModel([1, 3, 7, 8]);
        m.Node("Conv", ["x", m.Weight("w", 4, 3, 3, 3), m.Weight("b", 4)], "y", Is("pads", 1, 0, 2, 1), Is("strides", 2, 2));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Conv_Dilation2Groups2()
    {
        var m = new TinyModel([1, 4, 9, 9]);
        m.Node("Conv", ["x", m.Weight("w", 6, 2, 3, 2)], "y", I("group", 2), Is("dilations", 2, 2), Is("pads", 2, 1, 2, 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Conv_DepthwiseSameUpperStride2()
    {
        var m = new TinyModel([1, 3, 8, 7]);
        m.Node("Conv", ["x", m.Weight("w", 3, 1, 3, 3)], "y", I("group", 3), S("auto_pad", "SAME_UPPER"), Is("strides", 2, 2));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void BatchNormReluOverlappingMaxPool()
    {
        var m = new TinyModel([1, 3, 9, 9]);
        m.Node("BatchNormalization", ["x", m.Weight("s", 3), m.Weight("bias", 3), m.Weight("mean", 3), m.Positive("var", 3)], "bn", F("epsilon", 1e-3f));
        m.Node("Relu", ["bn"], "r");
        m.Node("MaxPool", ["r"], "y", Is("kernel_shape", 3, 3), Is("strides", 2, 2), Is("pads", 1, 1, 1, 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void AveragePools_WithAndWithoutPadCounting()
    {
        var m = new TinyModel([1, 2, 7, 6]);
        m.Node("AveragePool", ["x"], "a", Is("kernel_shape", 3, 2), Is("strides", 2, 2), Is("pads", 1, 0, 1, 1));
        m.Node("AveragePool", ["x"], "b", Is("kernel_shape", 2, 3), Is("strides", 1, 2), Is("pads", 1, 1, 0, 1), I("count_include_pad", 1));
        m.Node("GlobalAveragePool", ["a"], "ga");
        m.Node("ReduceSum", ["b", m.Ints("ax", 2, 3)], "sb", I("keepdims", 1));
        m.Node("Mul", ["ga", "sb"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void BroadcastingArithmetic_BothOperandsDifferentiated()
    {
        var m = new TinyModel([1, 3, 4, 5]);
        m.Node("ReduceMean", ["x"], "mean", Is("axes", 2, 3), I("keepdims", 1));      // [1,3,1,1]
        m.Node("Add", ["x", "mean"], "a");                                               // broadcast over H, W
        m.Node("Sigmoid", ["mean"], "gate");
        m.Node("Mul", ["a", "gate"], "b");
        m.Node("Sub", [m.Weight("row", 5), "b"], "c");                                   // [5] broadcast against [1,3,4,5]
        m.Node("Mul", ["x", "x"], "sq");
        m.Node("Add", ["sq", m.Positive("one", 1)], "den");
        m.Node("Div", ["c", "den"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void PointwiseActivations()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("LeakyRelu", ["x"], "a", F("alpha", 0.2f));
        m.Node("Tanh", ["a"], "b");
        m.Node("Clip", ["b", m.Scalar("lo", -0.6f), m.Scalar("hi", 0.7f)], "c");
        m.Node("Clip", ["c", "", m.Scalar("hi2", 0.5f)], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void FlattenGemmSoftmax()
    {
        var m = new TinyModel([1, 2, 3, 3]);
        m.Node("Flatten", ["x"], "f", I("axis", 1));
        m.Node("Gemm", ["f", m.Weight("w", 5, 18), m.Weight("b", 5)], "g", I("transB", 1), F("alpha", 0.7f), F("beta", 0.5f));
        m.Node("Transpose", ["f"], "ft");                                                 // [18, N]
        m.Node("Gemm", [m.Weight("w2", 18, 5), "ft"], "h", I("transA", 1));              // [5, N]
        m.Node("Gemm", ["h", m.Weight("w3", 5, 5)], "k", I("transA", 1));                // [N, 5]
        m.Node("Add", ["g", "k"], "s");
        m.Node("Softmax", ["s"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void MatMulReshapeTranspose()
    {
        var m = new TinyModel([1, 3, 2, 4]);
        m.Node("Reshape", ["x", m.Ints("shape", 0, 3, 8)], "r");                         // [N,3,8]
        m.Node("Transpose", ["r"], "rt", Is("perm", 0, 2, 1));                           // [N,8,3]
        m.Node("MatMul", ["r", "rt"], "gram");                                           // [N,3,3]
        m.Node("MatMul", ["rt", m.Weight("w", 3, 2)], "proj");                            // [N,8,2], weight broadcast over N
        m.Node("ReduceMean", ["proj"], "pm", Is("axes", 1), I("keepdims", 0));           // [N,2]
        m.Node("Flatten", ["gram"], "gf", I("axis", 1));
        m.Node("Concat", ["gf", "pm"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void ConcatPadIdentityDropout()
    {
        var m = new TinyModel([1, 2, 4, 4]);
        m.Node("Conv", ["x", m.Weight("w", 3, 2, 1, 1)], "c1");
        m.Node("Pad", ["x", m.Ints("pads", 0, 0, 1, 2, 0, 0, 2, 0)], "p");
        m.Node("Conv", ["p", m.Weight("w2", 1, 2, 4, 3)], "c2");                         // [N,2,7,6] -> [N,1,4,4]
        m.Node("Identity", ["c1"], "i1");
        m.Node("Dropout", ["c2"], "d2");
        m.Node("Concat", ["i1", "d2", "x"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Pad_WithPadsComputedFromTheShape_AndCropping()
    {
        // Swin's window padding: pads = (window - W % window) % window, computed from Shape at run time
        var m = new TinyModel([1, 2, 5, 6]);
        m.Node("Shape", ["x"], "sh");
        m.Node("Gather", ["sh", m.Ints("i3", 3)], "w", I("axis", 0));                      // [1]: W = 6
        m.Node("Mod", ["w", m.Ints("win", 4)], "wm");                                       // 2
        m.Node("Sub", [m.Ints("win2", 4), "wm"], "padr");                                   // 2
        m.Node("Concat", [m.Ints("head", 0, 0, 1, 0, 0, 0, 0), "padr"], "pads", I("axis", 0)); // [0,0,1,0, 0,0,0,2]
        m.Node("Pad", ["x", "pads"], "p");                                                  // [N,2,6,8]
        m.Node("Conv", ["p", m.Weight("w1", 2, 2, 3, 3)], "c");                             // [N,2,4,6]
        // negative pads crop: one row off the top, two columns off the right, one zero column on the left
        m.Node("Pad", ["c", m.Ints("crop", 0, 0, -1, 1, 0, 0, 0, -2)], "y");               // [N,2,3,5]
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Sqrt()
    {
        var m = new TinyModel([1, 2, 3, 3]);
        m.Node("Mul", ["x", "x"], "sq");
        m.Node("Add", ["sq", m.Scalar("one", 1f)], "pos");
        m.Node("Sqrt", ["pos"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void LinearHeadOnL2NormalisedFeatures()
    {
        // the head of an ML.NET trainer fed by ExtractEmbedding(normalize: true): logits = W·(f/‖f‖) + b
        var m = new TinyModel([1, 2, 5, 5]);
        m.Node("Conv", ["x", m.Weight("w", 6, 2, 3, 3), m.Weight("b", 6)], "c");
        m.Node("Tanh", ["c"], "t");
        m.Node("GlobalAveragePool", ["t"], "g");
        var random = new Random(3);
        var weights = new FloatTensor([4, 6], Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        var bias = new[] { 0.1f, -0.2f, 0.3f, 0f };
        using var engine = new GradientEngine(m.Build("g"), new LinearHead("g", weights, bias) { NormalizeFeatures = true });
        double error = FiniteDifferences.Check(engine, m.InputShape);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");

        var x = FiniteDifferences.SeparatedInput(m.InputShape, 7);
        var result = engine.Evaluate(x, new ClassTarget(0), [LinearHead.LogitsTensor, "g"]);
        var f = result.Outputs["g"].Data;
        double norm = Math.Sqrt(f.Sum(v => (double)v * v));
        for (int k = 0; k < 4; k++)
        {
            double expected = bias[k] + Enumerable.Range(0, 6).Sum(d => weights[k, d] * f[d] / norm);
            Assert.AreEqual(expected, result.Outputs[LinearHead.LogitsTensor].Data[k], 1e-5, $"logit {k}");
        }
    }

    [TestMethod]
    public void SplitAlongChannels_BothOutputsUsed()
    {
        var m = new TinyModel([1, 4, 3, 3]);
        m.Nodes("Split", ["x", m.Ints("sizes", 1, 3)], ["a", "b"], I("axis", 1));
        m.Node("Tanh", ["b"], "tb");
        m.Node("Mul", ["a", "a"], "aa");
        m.Node("Concat", ["tb", "aa"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void SplitWithAnUnusedOutput_GivesZeroGradientThere_Opset8Attribute()
    {
        // ResNet18's preprocessing splits RGB with the opset-8 'split' attribute and reorders the channels
        var m = new TinyModel([1, 3, 2, 2], opset: 8);
        m.Nodes("Split", ["x"], ["r", "g", "b"], I("axis", 1), Is("split", 1, 1, 1));
        m.Node("Concat", ["b", "r"], "br", I("axis", 1));
        m.Node("Conv", ["br", m.Weight("w", 2, 2, 1, 1)], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Opset8Model_IsUpgraded()
    {
        var m = new TinyModel([1, 2, 3, 4], opset: 8);
        m.Node("Conv", ["x", m.Weight("w", 3, 2, 3, 3), m.Weight("b", 3)], "c", Is("pads", 1, 1, 1, 1));
        m.Node("BatchNormalization", ["c", m.Weight("s", 3), m.Weight("bb", 3), m.Weight("mean", 3), m.Positive("var", 3)], "bn", I("spatial", 1));
        m.Node("Clip", ["bn"], "cl", F("min", -0.5f), F("max", 0.8f));
        m.Node("Pad", ["cl"], "p", Is("pads", 0, 0, 1, 0, 0, 0, 0, 2), F("value", 0.25f));
        m.Node("Dropout", ["p"], "d", F("ratio", 0.3f));
        m.Node("Softmax", ["d"], "y");                                                   // opset-8 semantics: flattened from axis 1
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void GradientWithRespectToInnerTensor_MatchesTheSubModelsInputGradient()
    {
        var full = new TinyModel([1, 2, 5, 5]);
        full.Node("Conv", ["x", full.Weight("w1", 3, 2, 3, 3)], "h", Is("pads", 1, 1, 1, 1));
        full.Node("Tanh", ["h"], "t");
        full.Node("Conv", ["t", full.Weight("w2", 2, 3, 3, 3)], "y");
        using var engine = new GradientEngine(full.Build("y"));
        var x = FiniteDifferences.RandomInput([1, 2, 5, 5], 3);
        var target = new WeightedTarget(FiniteDifferences.RandomInput([2 * 3 * 3], 4).Data);
        var result = engine.Compute(x, target, ["h", "x"], ["h"]);

        var sub = new TinyModel([1, 3, 5, 5]);                        // same seed: w1 drawn first, so draw it to keep w2 equal
        sub.Weight("w1", 3, 2, 3, 3);
        var modelSub = BuildSub(sub);
        using var subEngine = new GradientEngine(modelSub);
        var numeric = FiniteDifferences.Gradient(subEngine, result.Outputs["h"], target, 1e-3f);
        double error = FiniteDifferences.RelativeError(result.Gradients["h"].Data, numeric);
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    private static byte[] BuildSub(TinyModel sub)
    {
        sub.Node("Tanh", ["x"], "t");
        sub.Node("Conv", ["t", sub.Weight("w2", 2, 3, 3, 3)], "y");
        return sub.Build("y");
    }

    [TestMethod]
    public void UnknownOp_IsNamedInTheError()
    {
        var m = new TinyModel([1, 2, 3, 3]);
        m.Node("Tan", ["x"], "y");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FiniteDifferences.Check(m.Build("y"), m.InputShape));
        StringAssert.Contains(e.Message, "Tan");
        StringAssert.Contains(e.Message, "y_node");
    }

    [TestMethod]
    public void GuidedRelu_AlsoZeroesNegativeGradients()
    {
        // y = w2 · relu(W1 x): the guided gradient is W1ᵀ (1[W1 x > 0] ⊙ relu(w2))
        var m = new TinyModel([1, 4, 1, 1]);
        m.Node("Flatten", ["x"], "f");
        m.Node("Gemm", ["f", m.Weight("w1", 6, 4)], "h", I("transB", 1));
        m.Node("Relu", ["h"], "r");
        m.Node("Gemm", ["r", m.Weight("w2", 1, 6)], "y", I("transB", 1));
        using var engine = new GradientEngine(m.Build("y"));
        var x = FiniteDifferences.RandomInput([1, 4, 1, 1], 5);
        var g = engine.Compute(x, new ClassTarget(0), guidedRelu: true).Gradients["x"].Data;

        var r = new Random(1);
        var w1 = Enumerable.Range(0, 24).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var w2 = Enumerable.Range(0, 6).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var expected = new double[4];
        for (int j = 0; j < 6; j++)
        {
            double pre = 0;
            for (int i = 0; i < 4; i++) pre += w1[j * 4 + i] * x.Data[i];
            if (pre <= 0 || w2[j] <= 0) continue;
            for (int i = 0; i < 4; i++) expected[i] += w1[j * 4 + i] * w2[j];
        }
        for (int i = 0; i < 4; i++) Assert.AreEqual(expected[i], g[i], 1e-5);
    }
}
