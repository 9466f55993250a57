using Google.Protobuf;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;
using MLNet.CnnDiagnostics.Ops;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// Backward rules of the element-wise and normalisation ops against central finite differences on small random
/// models, and their receptive-field behaviour. Inputs come from <see cref="FiniteDifferences.SeparatedInput"/> (an
/// evenly spaced grid over [−1, 1]), scaled so the checks cover both sides of each kink without a step crossing one.
/// </summary>
[TestClass]
public sealed class ActivationOpTests
{
    // as in BackwardRuleTests: float32 central differences with step 1e-3 on O(1) values
    private const double Tolerance = 2e-3;

    private static void AssertMatches(TinyModel m, string output, int seed = 7, long? irVersion = null)
    {
        var bytes = m.Build(output);
        if (irVersion is { } ir)
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            model.IrVersion = ir;
            bytes = model.ToByteArray();
        }
        double error = FiniteDifferences.Check(bytes, m.InputShape, seed);
        Console.WriteLine($"relative error {error:E2}");
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
    }

    /// <summary>x scaled by <paramref name="factor"/>: the grid then spans [−factor, factor].</summary>
    private static string Scaled(TinyModel m, float factor, string name = "xs") => m.Node("Mul", ["x", m.Scalar(name + "_factor", factor)], name);

    /// <summary>x shifted into [0.5, 2.5], for ops defined on positive inputs.</summary>
    private static string Positive(TinyModel m, string name = "xp") => m.Node("Add", ["x", m.Scalar(name + "_shift", 1.5f)], name);

    [TestMethod]
    public void HardSigmoid_DefaultsAndCustomAttributes_BothSidesOfTheKinks()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 4f);                                                                   // 0.2·x + 0.5 leaves [0, 1] beyond ±2.5
        m.Node("HardSigmoid", ["xs"], "a");
        m.Node("HardSigmoid", ["x"], "b", F("alpha", 0.9f), F("beta", 0.4f));           // kinks at −0.44 and 0.67
        m.Node("Add", ["a", "b"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void HardSwish_AllThreePieces()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 4f);                                                                   // kinks at ±3
        m.Node("HardSwish", ["xs"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void SoftplusSoftsign()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 3f);
        m.Node("Softplus", ["xs"], "a");
        m.Node("Softsign", ["xs"], "b");
        m.Node("Concat", ["a", "b"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Mish_Opset18()   // Mish exists from opset 18
    {
        var m = new TinyModel([1, 2, 3, 4], opset: 18);
        Scaled(m, 3f);
        m.Node("Mish", ["xs"], "y");
        AssertMatches(m, "y", irVersion: 8);
    }

    [TestMethod]
    public void EluSeluCelu_DefaultAndCustomAlpha()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 2f);
        m.Node("Elu", ["xs"], "a");
        m.Node("Elu", ["xs"], "b", F("alpha", 0.6f));
        m.Node("Selu", ["xs"], "c");
        m.Node("Selu", ["xs"], "d", F("alpha", 1.3f), F("gamma", 0.8f));
        m.Node("Celu", ["xs"], "e", F("alpha", 1.7f));
        m.Node("Concat", ["a", "b", "c", "d", "e"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void PRelu_PerChannelSlopeOnAMap()
    {
        var m = new TinyModel([1, 3, 3, 4]);
        m.Node("PRelu", ["x", m.Weight("slope", 3, 1, 1)], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void PRelu_PerFeatureSlopeOnAMatrix_AndASharedSlope()
    {
        var m = new TinyModel([1, 2, 2, 3]);
        m.Node("Flatten", ["x"], "f", I("axis", 1));                                     // [N, 12]
        m.Node("PRelu", ["f", m.Weight("slope", 12)], "a");
        m.Node("PRelu", ["x", m.Weight("shared", 1)], "b");
        m.Node("Flatten", ["b"], "bf", I("axis", 1));
        m.Node("Concat", ["a", "bf"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void PRelu_SlopeIsAWeight_ItsGradientIsRefused()
    {
        var m = new TinyModel([1, 2, 2, 3]);
        m.Node("Sigmoid", ["x"], "s");
        m.Node("PRelu", ["x", "s"], "y");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FiniteDifferences.Check(m.Build("y"), m.InputShape));
        StringAssert.Contains(e.Message, "input 1");
    }

    [TestMethod]
    public void ThresholdedRelu_DefaultAndCustomAlpha()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 2f);
        m.Node("ThresholdedRelu", ["xs"], "a");                                           // threshold 1
        m.Node("ThresholdedRelu", ["x"], "b", F("alpha", -0.3f));
        m.Node("Add", ["a", "b"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("tanh")]
    public void Gelu_Opset20(string approximate)
    {
        var m = new TinyModel([1, 2, 3, 4], opset: 20);
        Scaled(m, 3f);
        m.Node("Gelu", ["xs"], "y", S("approximate", approximate));
        AssertMatches(m, "y", irVersion: 9);
    }

    [TestMethod]
    public void Erf()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Scaled(m, 1.5f);
        m.Node("Erf", ["xs"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void ExpLogNegAbsReciprocal()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Positive(m);
        m.Node("Exp", ["x"], "a");
        m.Node("Log", ["xp"], "b");
        m.Node("Neg", ["x"], "c");
        m.Node("Abs", ["x"], "d");                                                        // both signs; the grid has no 0
        m.Node("Reciprocal", ["xp"], "e");
        m.Node("Concat", ["a", "b", "c", "d", "e"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Pow_ConstantExponents_NegativeBases()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Pow", ["x", m.Scalar("two", 2f)], "a");                                  // x² at negative x
        m.Node("Pow", ["x", m.Ints("three", 3)], "b");                                    // an int64 exponent
        m.Node("Pow", ["x", m.Scalar("one", 1f)], "c");
        Positive(m);
        m.Node("Pow", ["xp", m.Scalar("half", 0.5f)], "d");
        m.Node("Pow", ["xp", m.Weight("perChannel", 2, 1, 1)], "e");                      // a broadcast exponent
        m.Node("Concat", ["a", "b", "c", "d", "e"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Pow_ExponentFromTheImage_BroadcastBase()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        Positive(m);
        m.Node("Tanh", ["x"], "t");
        m.Node("Pow", ["xp", "t"], "a");                                                  // both operands differentiated
        m.Node("ReduceMean", ["xp"], "mean", Is("axes", 2, 3), I("keepdims", 1));        // [N,2,1,1] base broadcast over the map
        m.Node("Pow", ["mean", "x"], "b");
        m.Node("Mul", ["a", "b"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void MaxMin_VariadicWithBroadcasting()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Neg", ["x"], "n");
        m.Node("Mul", ["n", m.Scalar("k", 0.6f)], "shrunk");
        m.Node("ReduceMean", ["x"], "rows", Is("axes", 3), I("keepdims", 1));            // [N,2,3,1] broadcast over columns
        m.Node("Max", ["x", "shrunk", "rows", m.Weight("floor", 4)], "a");
        m.Node("Min", ["x", "shrunk", "rows"], "b");
        m.Node("Max", ["b"], "c");                                                        // one input: identity
        m.Node("Concat", ["a", "c"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void MaxMin_TiesSplitTheGradient()
    {
        // Max(x, x) = x and Min(t, t, t) = t: a split gradient sums to the true slope; giving each winner all of it would double it
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Max", ["x", "x"], "a");
        m.Node("Tanh", ["x"], "t");
        m.Node("Min", ["t", "t", "t"], "b");
        m.Node("Add", ["a", "b"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void SumMean_VariadicWithBroadcasting()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Tanh", ["x"], "t");
        m.Node("ReduceMean", ["x"], "cols", Is("axes", 2), I("keepdims", 1));            // [N,2,1,4]
        m.Node("Sum", ["x", "t", "cols", m.Weight("bias", 2, 1, 1)], "a");
        m.Node("Mean", ["t", "cols", "x"], "b");
        m.Node("Mul", ["a", "b"], "y");
        AssertMatches(m, "y");
    }

    [TestMethod]
    [DataRow(17)]
    [DataRow(11)]
    public void LogSoftmax_AlongChannels(int opset)
    {
        // at opset 11, axis 1 of a 4-D tensor means flatten to [N, C·H·W] first: the upgrade rewrites it
        var m = new TinyModel([1, 3, 2, 2], opset);
        Scaled(m, 2f);
        m.Node("LogSoftmax", ["xs"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    [DataRow(11, 24)]
    [DataRow(13, 2)]
    public void Softmax_Axis1_FlattensBeforeOpset13_NotFrom13(int opset, int group)
    {
        var m = new TinyModel([1, 2, 3, 4], opset);
        Scaled(m, 2f);
        m.Node("Softmax", ["xs"], "y", I("axis", 1));
        AssertMatches(m, "y");

        // the probabilities sum to 1 over all C·H·W values at opset 11, over the 2 channels of each position from 13
        using var engine = new GradientEngine(m.Build("y"));
        var y = engine.Evaluate(FiniteDifferences.SeparatedInput(m.InputShape, 3), new ClassTarget(0), ["y"]).Outputs["y"].Data;
        double total = y.Sum(v => (double)v);
        Assert.AreEqual(24.0 / group, total, 1e-4, $"sum of all probabilities at opset {opset}");
    }

    [TestMethod]
    public void LayerNormalization_LastAxis_AndFromAxis1_WithAndWithoutBias()
    {
        var m = new TinyModel([1, 3, 2, 4]);
        Scaled(m, 2f);
        m.Node("LayerNormalization", ["xs", m.Weight("s1", 4), m.Weight("b1", 4)], "a");                  // axis −1
        m.Nodes("LayerNormalization", ["xs", m.Weight("s2", 3, 2, 4)], ["b", "mean", "invstd"], I("axis", 1), F("epsilon", 1e-3f));
        m.Node("LayerNormalization", ["xs", m.Weight("s3", 2, 1)], "c", I("axis", -2));                  // a scale broadcast over W
        m.Node("Concat", ["a", "b", "c"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void LayerNormalization_OverChannelsAfterPermutingToNhwc_ConvNeXtStyle_Opset18()
    {
        var m = new TinyModel([1, 4, 3, 3], opset: 18);
        m.Node("Conv", ["x", m.Weight("w", 4, 1, 3, 3), m.Weight("cb", 4)], "dw", I("group", 4), Is("pads", 1, 1, 1, 1));
        m.Node("Transpose", ["dw"], "nhwc", Is("perm", 0, 2, 3, 1));
        m.Node("LayerNormalization", ["nhwc", m.Weight("s", 4), m.Weight("b", 4)], "ln", F("epsilon", 1e-6f));
        m.Node("Transpose", ["ln"], "y", Is("perm", 0, 3, 1, 2));
        AssertMatches(m, "y", irVersion: 8);
    }

    [TestMethod]
    public void LayerNormalization_StatisticsOutputsCarryNoGradient()
    {
        var m = new TinyModel([1, 2, 2, 3]);
        m.Nodes("LayerNormalization", ["x", m.Weight("s", 3)], ["ln", "mean", "invstd"]);
        m.Node("Add", ["ln", "mean"], "y");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FiniteDifferences.Check(m.Build("y"), m.InputShape));
        StringAssert.Contains(e.Message, "InvStdDev");
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(18)]
    public void LayerNormalization_DecomposedAsOldExportersWriteIt(int opset)
    {
        // ReduceMean → Sub → Pow(2) → ReduceMean → Add ε → Sqrt → Div → Mul → Add, over the channels (axis 1)
        var m = new TinyModel([1, 4, 2, 3], opset);
        Scaled(m, 2f);
        var axes = opset >= 18 ? new[] { "xs", m.Ints("axes", 1) } : ["xs"];
        var axesAttribute = opset >= 18 ? [] : new[] { Is("axes", 1) };
        m.Node("ReduceMean", axes, "mu", axesAttribute);
        m.Node("Sub", ["xs", "mu"], "d");
        m.Node("Pow", ["d", m.Scalar("two", 2f)], "d2");
        m.Node("ReduceMean", opset >= 18 ? ["d2", "axes"] : ["d2"], "var", axesAttribute);
        m.Node("Add", ["var", m.Scalar("eps", 1e-5f)], "vare");
        m.Node("Sqrt", ["vare"], "std");
        m.Node("Div", ["d", "std"], "n");
        m.Node("Mul", ["n", m.Weight("gamma", 4, 1, 1)], "scaled");
        m.Node("Add", ["scaled", m.Weight("beta", 4, 1, 1)], "y");
        AssertMatches(m, "y", irVersion: opset >= 18 ? 8 : null);
    }

    [TestMethod]
    public void InstanceNormalization()
    {
        var m = new TinyModel([1, 3, 3, 4]);
        Scaled(m, 2f);
        m.Node("InstanceNormalization", ["xs", m.Weight("s", 3), m.Weight("b", 3)], "y", F("epsilon", 1e-4f));
        AssertMatches(m, "y");
    }

    [TestMethod]
    [DataRow(18, 2)]      // opset 18: scale and bias per group
    [DataRow(21, 4)]      // opset 21: per channel
    public void GroupNormalization(int opset, int scaleLength)
    {
        var m = new TinyModel([1, 4, 2, 3], opset);
        Scaled(m, 2f);
        m.Node("GroupNormalization", ["xs", m.Weight("s", scaleLength), m.Weight("b", scaleLength)], "y", I("num_groups", 2), F("epsilon", 1e-4f));
        AssertMatches(m, "y", irVersion: opset >= 21 ? 10 : 8);
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(5)]      // ONNX Runtime's LRN takes odd sizes only (the rule also follows the spec's window for even ones)
    public void Lrn_AcrossChannels(int size)
    {
        var m = new TinyModel([1, 5, 2, 3]);
        Scaled(m, 2f);
        m.Node("LRN", ["xs"], "y", I("size", size), F("alpha", 0.6f), F("beta", 0.75f), F("bias", 1.2f));
        AssertMatches(m, "y");
    }

    /// <summary>The slope the backward rule gives at each of <paramref name="at"/>: the gradient of Σ op(x).</summary>
    private static float[] Slopes(float[] at, Func<TinyModel, string> build)
    {
        var m = new TinyModel([1, 1, 1, at.Length]);
        using var engine = new GradientEngine(m.Build(build(m)));
        var x = new FloatTensor([1, 1, 1, at.Length], at);
        return engine.Compute(x, new WeightedTarget(Enumerable.Repeat(1f, at.Length).ToArray())).Gradients["x"].Data;
    }

    [TestMethod]
    public void AtTheKinks_TheRulesFollowPyTorch()
    {
        // HardSwish: 0 below −3, x/3 + 0.5 on [−3, 3] (so −0.5 at −3 and 1.5 at 3), 1 above 3
        CollectionAssert.AreEqual(new[] { 0f, -0.5f, 0.5f, 1.5f, 1f }, Slopes([-3.5f, -3f, 0f, 3f, 3.5f], m => m.Node("HardSwish", ["x"], "y")));
        // HardSigmoid: alpha strictly inside (0, 1), 0 at both kinks (here at ±2)
        CollectionAssert.AreEqual(new[] { 0f, 0f, 0.25f, 0f, 0f }, Slopes([-3f, -2f, 0f, 2f, 3f], m => m.Node("HardSigmoid", ["x"], "y", F("alpha", 0.25f), F("beta", 0.5f))));
        // Abs: 0 at 0; Elu and PRelu: the left-hand slope at 0; ThresholdedRelu: 0 at the threshold
        CollectionAssert.AreEqual(new[] { -1f, 0f, 1f }, Slopes([-1f, 0f, 1f], m => m.Node("Abs", ["x"], "y")));
        CollectionAssert.AreEqual(new[] { 0.5f, 1f }, Slopes([0f, 1f], m => m.Node("Elu", ["x"], "y", F("alpha", 0.5f))));
        CollectionAssert.AreEqual(new[] { 0.25f, 1f }, Slopes([0f, 1f], m => m.Node("PRelu", ["x", m.Scalar("slope", 0.25f)], "y")));
        CollectionAssert.AreEqual(new[] { 0f, 0f, 1f }, Slopes([0.5f, 1f, 1.5f], m => m.Node("ThresholdedRelu", ["x"], "y")));
        // Max and Min: a tie splits the gradient between the tied inputs
        CollectionAssert.AreEqual(new[] { 0f, 0.5f, 1f }, Slopes([-1f, 0f, 1f], m => m.Node("Max", ["x", m.Scalar("zero", 0f)], "y")));
        CollectionAssert.AreEqual(new[] { 1f, 0.5f, 0f }, Slopes([-1f, 0f, 1f], m => m.Node("Min", ["x", m.Scalar("zero", 0f)], "y")));
        // Pow(x, 2) and Pow(x, 3) at 0 and at negative bases: finite, e·x^(e−1)
        CollectionAssert.AreEqual(new[] { -4f, 0f, 2f }, Slopes([-2f, 0f, 1f], m => m.Node("Pow", ["x", m.Scalar("two", 2f)], "y")));
        CollectionAssert.AreEqual(new[] { 12f, 0f, 3f }, Slopes([-2f, 0f, 1f], m => m.Node("Pow", ["x", m.Scalar("three", 3f)], "y")));
        // Softsign at 0: 1
        CollectionAssert.AreEqual(new[] { 1f }, Slopes([0f], m => m.Node("Softsign", ["x"], "y")));
    }

    [TestMethod]
    public void TheOpsOfThisClass_AreDifferentiableInTheOpTable()
    {
        string[] ops =
        [
            "HardSigmoid", "HardSwish", "Mish", "Softplus", "Softsign", "Elu", "Selu", "Celu", "PRelu", "ThresholdedRelu", "Gelu",
            "Erf", "Pow", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Max", "Min", "Mean", "Sum", "LogSoftmax", "Softmax",
            "LayerNormalization", "InstanceNormalization", "GroupNormalization", "LRN", "ReduceMean", "Sqrt", "Div",
        ];
        var differentiable = OpTable.DifferentiableOpTypes;
        var missing = ops.Where(op => !differentiable.Contains(op)).ToList();
        Assert.IsEmpty(missing, $"not differentiable: {string.Join(", ", missing)}");
        Assert.AreEqual(FieldRule.Join, OpTable.Find("Max")!.Field);
        Assert.AreEqual(FieldRule.Join, OpTable.Find("Sum")!.Field);
        Assert.AreEqual(FieldRule.PositionWise, OpTable.Find("HardSwish")!.Field);
        Assert.AreEqual(1, OpTable.Find("LayerNormalization")!.ActivationOutputs);
    }

    private static ReceptiveFieldNode Node(string name, string op, string[] inputs, ConvolutionAttributes? window = null, Dictionary<string, long[]>? integers = null) =>
        new(name, op, inputs, [name + "_out"], window) { Integers = integers ?? [] };

    private static ConvolutionAttributes Window3x3 => new([3, 3], [1, 1], [1, 1, 1, 1], [1, 1], 1, "NOTSET");

    [TestMethod]
    public void LayerNormalizationField_OverChannelsKeepsTheField_OverRowsAndColumnsSeesTheImage()
    {
        var f = ReceptiveFieldCalculator.Compute("x", 16, 16,
        [
            Node("conv", "Conv", ["x", "w"], Window3x3),
            Node("nhwc", "Transpose", ["conv_out"], integers: new() { ["perm"] = [0, 2, 3, 1] }),
            Node("lnChannels", "LayerNormalization", ["nhwc_out", "s"], integers: new() { ["axis"] = [-1] }),
            Node("nchw", "Transpose", ["lnChannels_out"], integers: new() { ["perm"] = [0, 3, 1, 2] }),
            Node("lnDefault", "LayerNormalization", ["conv_out", "s"]),                                 // axis −1 of NCHW: the columns
            Node("lnImage", "LayerNormalization", ["conv_out", "s"], integers: new() { ["axis"] = [1] }), // channels, rows and columns
            Node("after", "Conv", ["lnImage_out", "w2"], Window3x3),
        ]);
        var conv = new ReceptiveField(new(3, 1, -1), new(3, 1, -1));
        Assert.AreEqual(conv, f["lnChannels"]);
        Assert.AreEqual(conv, f["nchw"]);
        var whole = new ReceptiveField(new(18, 1, -1), new(18, 1, -1));                          // 3 + 15 rows and columns
        Assert.AreEqual(whole, f["lnDefault"]);
        Assert.AreEqual(whole, f["lnImage"]);
        Assert.AreEqual((16, 16), f.SpatialSize("lnImage"));                                   // the map keeps its grid
        Assert.AreEqual(new ReceptiveField(new(20, 1, -2), new(20, 1, -2)), f["after"]);
    }

    [TestMethod]
    public void ActivationAndNormalizationFields_ArePositionWise_VariadicOpsJoin()
    {
        var f = ReceptiveFieldCalculator.Compute("x", 16, 16,
        [
            Node("conv", "Conv", ["x", "w"], Window3x3),
            Node("hs", "HardSwish", ["conv_out"]),
            Node("gn", "GroupNormalization", ["hs_out", "s", "b"]),
            Node("inorm", "InstanceNormalization", ["gn_out", "s", "b"]),
            Node("lrn", "LRN", ["inorm_out"]),
            Node("max", "Max", ["x", "lrn_out"]),                                                  // joins: the union, not the first input's field
            Node("mean", "Mean", ["x", "conv_out", "lrn_out"]),
        ]);
        var conv = new ReceptiveField(new(3, 1, -1), new(3, 1, -1));
        Assert.AreEqual(conv, f["lrn"]);
        Assert.AreEqual(conv, f["max"]);                                                         // the union with the pixel itself
        Assert.AreEqual(conv, f["mean"]);
        Assert.AreEqual((16, 16), f.SpatialSize("mean"));
    }
}
