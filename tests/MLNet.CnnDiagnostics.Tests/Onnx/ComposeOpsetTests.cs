using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class ComposeOpsetTests
{
    /// <summary>Opset 8: x[1,3,8,8] → Split(channels 1 | 2, as an attribute) → Concat(last two, first) → Clip(min/max attributes).</summary>
    private static ModelGraph Opset8Preprocessing()
    {
        var g = new GraphProto { Name = "pre" };
        g.Input.Add(Value("x", 1, 3, 8, 8));
        g.Node.Add(Node("Split", "split", ["x"], ["first", "rest"], Int("axis", 1), Ints("split", 1, 2)));
        g.Node.Add(Node("Concat", "swap", ["rest", "first"], ["swapped"], Int("axis", 1)));
        g.Node.Add(Node("Clip", "clip", ["swapped"], ["pixels"],
            new AttributeProto { Name = "min", Type = AttributeProto.Types.AttributeType.Float, F = -0.5f },
            new AttributeProto { Name = "max", Type = AttributeProto.Types.AttributeType.Float, F = 0.6f }));
        g.Output.Add(Value("pixels", 1, 3, 8, 8));
        return ModelGraph.Load(Model(g, opset: 8).ToByteArray(), "pre8");
    }

    /// <summary>Opset 13: image[1,3,8,8] → Conv(4 out) → GlobalAveragePool → Flatten → Softmax.</summary>
    private static ModelGraph Opset13Cnn()
    {
        var g = new GraphProto { Name = "cnn" };
        g.Input.Add(Value("image", 1, 3, 8, 8));
        g.Initializer.Add(FloatInit("w", [4, 3, 3, 3], Random(108, 5)));
        g.Node.Add(Node("Conv", "conv1", ["image", "w"], ["c1"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)));
        g.Node.Add(Node("GlobalAveragePool", "gap", ["c1"], ["gap_out"]));
        g.Node.Add(Node("Flatten", "flatten", ["gap_out"], ["features"], Int("axis", 1)));
        g.Node.Add(Node("Softmax", "softmax", ["features"], ["probabilities"], Int("axis", 1)));
        g.Output.Add(Value("probabilities", 1, 4));
        return ModelGraph.Load(Model(g, opset: 13).ToByteArray(), "cnn13");
    }

    [TestMethod]
    public void Opset8SplitAndClipInFrontOfOpset13_EqualsRunningTheTwoInSequence()
    {
        var pre = Opset8Preprocessing();
        var cnn = Opset13Cnn();
        var composed = ModelGraph.Compose(pre, cnn);
        Assert.AreEqual(13, composed.OpsetVersion);
        Assert.IsFalse(composed.Proto.Graph.Node.Any(n => n.Attribute.Any(a => a.Name is "split" or "min" or "max")), "opset-8 attributes were carried over unconverted");

        var input = new FloatTensor([1, 3, 8, 8], Random(192, 9));
        using var preExec = new OnnxExecutor(pre);
        using var cnnExec = new OnnxExecutor(cnn);
        var pixels = preExec.Run(input)["pixels"];
        Assert.AreEqual(0.6f, pixels.Data.Max(), "the clip bites on this input");
        Assert.AreEqual(input[0, 0, 3, 4] > 0.6f ? 0.6f : Math.Max(-0.5f, input[0, 0, 3, 4]), pixels[0, 2, 3, 4], "channel 0 moves to the end");
        var expected = cnnExec.Run(pixels)["probabilities"];
        using var composedExec = new OnnxExecutor(composed);
        var actual = composedExec.Run(input)["probabilities"];
        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected.Data[i], actual.Data[i], 1e-6f);

        using var reversed = new OnnxExecutor(ModelGraph.Compose(ModelGraph.Load(Model(Opset13Identity(), opset: 13).ToByteArray(), "id13"), pre));
        var reversedOut = reversed.Run(input);
        CollectionAssert.AreEqual(pixels.Data, reversedOut.Values.Single().Data, "the opset-8 model is upgraded when it comes second too");
    }

    /// <summary>Opset 13: image[1,3,8,8] → Identity.</summary>
    private static GraphProto Opset13Identity()
    {
        var g = new GraphProto { Name = "id" };
        g.Input.Add(Value("raw", 1, 3, 8, 8));
        g.Node.Add(Node("Identity", "copy", ["raw"], ["copied"]));
        g.Output.Add(Value("copied", 1, 3, 8, 8));
        return g;
    }

    [TestMethod]
    public void Opset8TopKInFrontOfOpset13_ThrowsNamingTheOp()
    {
        // TopK's k moved from an attribute to an input in opset 10, a change the upgrade does not rewrite
        var g = new GraphProto { Name = "top" };
        g.Input.Add(Value("x", 1, 3, 8, 8));
        g.Node.Add(Node("TopK", "top", ["x"], ["values", "indices"], Int("k", 8)));
        g.Output.Add(Value("values", 1, 3, 8, 8));
        var pre = ModelGraph.Load(Model(g, opset: 8).ToByteArray(), "top8");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ModelGraph.Compose(pre, Opset13Cnn()));
        StringAssert.Contains(e.Message, "TopK");
        StringAssert.Contains(e.Message, "'top8'");
        StringAssert.Contains(e.Message, "opset 8");
    }

    [TestMethod]
    public void UpsampleSliceAndResize10_RaisedToOpset13_GiveTheSameValues()
    {
        var scales = new AttributeProto { Name = "scales", Type = AttributeProto.Types.AttributeType.Floats, Floats = { 1f, 1f, 2f, 1.5f } };
        var g8 = new GraphProto { Name = "old8" };
        g8.Input.Add(Value("x", 1, 3, 4, 4));
        g8.Node.Add(Node("Upsample", "near", ["x"], ["near"], scales));
        g8.Node.Add(Node("Upsample", "lin", ["x"], ["lin"], scales, NodeAttributes.String("mode", "linear")));
        g8.Node.Add(Node("Slice", "cut", ["x"], ["cut"], Ints("starts", 1, -3), Ints("ends", 1000, 3), Ints("axes", 2, 3)));
        g8.Output.Add(Value("near", 1, 3, 8, 6));
        g8.Output.Add(Value("lin", 1, 3, 8, 6));
        g8.Output.Add(Value("cut", 1, 3, 3, 2));
        var g10 = new GraphProto { Name = "old10" };
        g10.Input.Add(Value("x", 1, 3, 4, 4));
        g10.Initializer.Add(FloatInit("s", [4], [1f, 1f, 1.5f, 2f]));
        g10.Node.Add(Node("Resize", "near", ["x", "s"], ["near"]));
        g10.Node.Add(Node("Resize", "lin", ["x", "s"], ["lin"], NodeAttributes.String("mode", "linear")));
        g10.Output.Add(Value("near", 1, 3, 6, 8));
        g10.Output.Add(Value("lin", 1, 3, 6, 8));
        var input = new FloatTensor([1, 3, 4, 4], Random(48, 4));
        foreach (var (graph, opset) in new[] { (g8, 8), (g10, 10) })
        {
            var model = Model(graph, opset);
            var rewriter = new GraphRewriter(model);
            rewriter.UpgradeOpset(new Dictionary<string, int[]>(), 13);
            var upgraded = rewriter.Finish($"opset{opset}+13").Proto;
            Assert.IsFalse(upgraded.Graph.Node.Any(n => n.OpType == "Upsample" || n.Attribute.Any(a => a.Name is "starts" or "scales")), "old forms were carried over");
            using var before = new OnnxExecutor(ModelGraph.Load(model.ToByteArray(), $"opset{opset}"));
            using var after = new OnnxExecutor(ModelGraph.Load(upgraded.ToByteArray(), $"opset{opset}+13"));
            var expected = before.Run(input);
            var actual = after.Run(input);
            foreach (var name in expected.Keys)
                CollectionAssert.AreEqual(expected[name].Data, actual[name].Data, $"opset {opset}: {name}");
        }
    }
}
