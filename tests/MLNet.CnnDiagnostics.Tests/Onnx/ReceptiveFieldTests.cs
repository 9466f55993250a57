using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class ReceptiveFieldTests
{
    private static ConvolutionAttributes Window(int k, int s, int d, int top, int left, int bottom, int right) =>
        new([k, k], [s, s], [top, left, bottom, right], [d, d], 1, "NOTSET");

    private static ReceptiveFieldNode Node(string name, string op, string[] inputs, ConvolutionAttributes? w = null, int axis = 1) =>
        new(name, op, inputs, [name + "_out"], w, null, axis);

    /// <summary>conv 3×3/1 dilation 2 → conv 3×3/2 → relu → pool 2×2/2, plus a dilated strided shortcut added in, then GAP and a dense head.</summary>
    private static List<ReceptiveFieldNode> Chain() =>
    [
        Node("conv1", "Conv", ["x", "w1"], Window(3, 1, 2, 2, 1, 2, 3)),
        Node("conv2", "Conv", ["conv1_out", "w2"], Window(3, 2, 1, 1, 0, 0, 1)),
        Node("relu", "Relu", ["conv2_out"]),
        Node("pool", "MaxPool", ["relu_out"], Window(2, 2, 1, 0, 0, 0, 0)),
        Node("shortcut", "Conv", ["x", "w3"], Window(3, 4, 5, 0, 0, 7, 7)),
        Node("add", "Add", ["pool_out", "shortcut_out"]),
        Node("gap", "GlobalAveragePool", ["add_out"]),
        Node("flatten", "Flatten", ["gap_out"]),
        Node("dense", "Gemm", ["flatten_out", "w4", "b4"]),
    ];

    [TestMethod]
    public void SmallChain_FieldsEqualHandComputedValues()
    {
        var f = ReceptiveFieldCalculator.Compute("x", 32, 32, Chain());
        // size += (k−1)·d·jump, jump *= s, start −= padBegin·jump
        Assert.AreEqual(new ReceptiveField(new(5, 1, -2), new(5, 1, -1)), f["conv1"]);       // 1+2·2, pads top 2 / left 1
        Assert.AreEqual(new ReceptiveField(new(7, 2, -3), new(7, 2, -1)), f["conv2"]);       // 5+2, start −2−1 / −1−0
        Assert.AreEqual(f["conv2"], f["relu"]);
        Assert.AreEqual(new ReceptiveField(new(9, 4, -3), new(9, 4, -1)), f["pool"]);        // 7+1·2
        Assert.AreEqual(new ReceptiveField(new(11, 4, 0), new(11, 4, 0)), f["shortcut"]);    // 1+2·5
        Assert.AreEqual(new ReceptiveField(new(14, 4, -3), new(12, 4, -1)), f["add"]);       // rows [−3,11), columns [−1,11)
        Assert.AreEqual(new ReceptiveField(new(42, 4, -3), new(40, 4, -1)), f["gap"]);       // 14+7·4, 12+7·4
        Assert.AreEqual((32, 32), f.SpatialSize("conv1"));
        Assert.AreEqual((16, 16), f.SpatialSize("conv2"));
        Assert.AreEqual((8, 8), f.SpatialSize("add"));
        Assert.AreEqual((1, 1), f.SpatialSize("gap"));
        // a Gemm on the flattened pool mixes every position: the whole image, as the global pool already sees
        Assert.AreEqual(f["gap"], f["dense"]);
        Assert.AreEqual((1, 1), f.SpatialSize("dense"));
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => f["conv7"]).Message, "closest: conv1");
    }

    [TestMethod]
    public void SmallChain_FieldsEqualTheInputPixelsTracedBackTapByTap()
    {
        var nodes = Chain();
        var f = ReceptiveFieldCalculator.Compute("x", 32, 32, nodes);
        var byOutput = nodes.ToDictionary(n => n.Outputs[0]);
        // Input coordinates a position reads, traced through every tap of every window (padding positions included).
        IEnumerable<int> Trace(string tensor, int axis, int position)
        {
            if (tensor == "x") return [position];
            var n = byOutput[tensor];
            if (n.Window is { } w)
                return Enumerable.Range(0, w.Kernel[axis]).SelectMany(t => Trace(n.Inputs[0], axis, position * w.Strides[axis] - w.PadBegin(axis) + t * w.Dilations[axis]));
            if (n.OpType == "Add") return n.Inputs.SelectMany(i => Trace(i, axis, position));
            return Trace(n.Inputs[0], axis, position);
        }
        foreach (var layer in new[] { "conv1", "conv2", "pool", "shortcut", "add" })
        {
            var (h, w) = f.SpatialSize(layer);
            for (int axis = 0; axis < 2; axis++)
                for (int p = 0; p < (axis == 0 ? h : w); p++)
                {
                    var pixels = Trace(layer + "_out", axis, p).ToList();
                    var field = axis == 0 ? f[layer].Y : f[layer].X;
                    Assert.AreEqual(pixels.Min(), field.First(p), $"{layer} axis {axis} position {p}");
                    Assert.AreEqual(pixels.Max() + 1, field.End(p), $"{layer} axis {axis} position {p}");
                }
        }
    }

    [TestMethod]
    public void BadInput_HasClearMessages()
    {
        var tooSmall = Assert.ThrowsExactly<CnnDiagnosticsException>(() =>
            ReceptiveFieldCalculator.Compute("x", 5, 5, [Node("big", "Conv", ["x", "w"], Window(7, 1, 1, 0, 0, 0, 0))]));
        StringAssert.Contains(tooSmall.Message, "smaller than the receptive field of node 'big'");
        var jumps = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ReceptiveFieldCalculator.Compute("x", 32, 32,
        [
            Node("a", "Conv", ["x", "w"], Window(2, 2, 1, 0, 0, 0, 0)),   // 16×16, jump 2
            Node("b", "Conv", ["x", "w"], Window(17, 1, 1, 0, 0, 0, 0)),  // 16×16, jump 1
            Node("sum", "Add", ["a_out", "b_out"]),
        ]));
        StringAssert.Contains(jumps.Message, "jumps 2 and 1");
        var concat = ReceptiveFieldCalculator.Compute("x", 8, 8, [Node("c", "Concat", ["x", "x"], axis: 3)]);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => concat["c"]).Message, "axis 3");
        var unknown = ReceptiveFieldCalculator.Compute("x", 8, 8, [Node("odd", "MyCustomOp", ["x"]), Node("after", "Relu", ["odd_out"])]);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => unknown["after"]);
        StringAssert.Contains(e.Message, "no spatial receptive field");
        StringAssert.Contains(e.Message, "MyCustomOp node 'odd'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReceptiveField.Pixel.Rectangle(-1, 0));
    }

    [TestMethod]
    public void ResNet18_FirstLayers_EqualHandComputedFields()
    {
        var f = ReceptiveFieldCalculator.Compute(ResNet18Fixture.Model);
        // Convolution249: 7×7/2, pads [3,3,2,2] (CNTK's asymmetric export): size 7, jump 2, start −3.
        var conv1 = new ReceptiveFieldAxis(7, 2, -3);
        Assert.AreEqual(new ReceptiveField(conv1, conv1), f["Convolution249"]);
        Assert.AreEqual(f["Convolution249"], f["ReLU253"]);
        // Pooling255: 3×3/2, pads [1,1,0,0]: size 7 + 2·2 = 11, jump 4, start −3 − 1·2 = −5.
        var pool = new ReceptiveFieldAxis(11, 4, -5);
        Assert.AreEqual(new ReceptiveField(pool, pool), f["Pooling255"]);
        Assert.AreEqual((56, 56), f.SpatialSize("Pooling255"));
        // Two 3×3/1 pad-1 convs: 11 + 2·4 + 2·4 = 27, start −5 − 4 − 4 = −13; the identity branch adds nothing.
        var block = new ReceptiveFieldAxis(27, 4, -13);
        Assert.AreEqual(new ReceptiveField(block, block), f["Plus267"]);
        // The last block's output: the well-known 435 pixels of ResNet18's layer4 (before the last block's conv pair: 435 + 2·2·32 = 563).
        Assert.AreEqual(563, f["ReLU393"].Y.Size);
        Assert.AreEqual(32, f["ReLU393"].Y.Jump);
        Assert.AreEqual(435, f["Plus377"].X.Size);
    }

    [TestMethod]
    public void ResNet18_PixelsOutsideTheField_DoNotChangeTheActivation()
    {
        var g = ResNet18Fixture.Model;
        var f = ReceptiveFieldCalculator.Compute(g);
        string[] layers = ["ReLU253", "Pooling255", "Plus267", "Convolution285"];
        var tensors = layers.Select(g.ResolveTensor).ToArray();
        using var exec = new OnnxExecutor(g.WithOutputs(layers));
        var image = ResNet18Fixture.Digits(1, first: 7);
        var before = exec.Run(image, tensors);
        var rng = new Random(8);
        foreach (var (layer, tensor) in layers.Zip(tensors))
        {
            var (h, w) = f.SpatialSize(layer);
            foreach (var (y, x) in new[] { (0, 0), (h / 2, w / 3), (h - 1, w - 1) })
            {
                var rect = f[layer].Rectangle(y, x);
                var noisy = image.Clone();
                for (int c = 0; c < 3; c++)
                    for (int r = 0; r < 224; r++)
                        for (int col = 0; col < 224; col++)
                            if (r < rect.Top || r >= rect.Bottom || col < rect.Left || col >= rect.Right)
                                noisy[0, c, r, col] = (float)(rng.NextDouble() * 500 - 250);
                var after = exec.Run(noisy, [tensor])[tensor];
                int channels = after.Shape[1];
                for (int ch = 0; ch < channels; ch++)
                {
                    float a = before[tensor][0, ch, y, x], b = after[0, ch, y, x];
                    Assert.AreEqual(a, b, 1e-4f * Math.Max(1, Math.Abs(a)), $"{layer} ({y},{x}) channel {ch}: a pixel outside {rect} changed it");
                }
                // And the field is not needlessly large: noise on its first row inside the image changes something.
                int edge = Math.Max(rect.Top, 0);
                var touched = image.Clone();
                for (int c = 0; c < 3; c++)
                    for (int col = Math.Max(rect.Left, 0); col < Math.Min(rect.Right, 224); col++)
                        touched[0, c, edge, col] += (float)(rng.NextDouble() * 500 - 250);
                var changed = exec.Run(touched, [tensor])[tensor];
                Assert.IsTrue(Enumerable.Range(0, channels).Any(ch => changed[0, ch, y, x] != before[tensor][0, ch, y, x]), $"{layer} ({y},{x}): row {edge} is inside the field");
            }
        }
    }
}
