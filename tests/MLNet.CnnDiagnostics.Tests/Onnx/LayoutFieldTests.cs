using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>Receptive fields through structural ops: slices, gathers, broadcasts, channel shuffles, channels-last blocks, shape arithmetic.</summary>
[TestClass]
public sealed class LayoutFieldTests
{
    private static ConvolutionAttributes Window(int k, int s, int pad) => new([k, k], [s, s], [pad, pad, pad, pad], [1, 1], 1, "NOTSET");

    /// <summary>A node with measured shapes (batch 1) and integer attributes or constant inputs, as ReceptiveFieldCalculator.Describe gives them.</summary>
    private static ReceptiveFieldNode Node(string name, string op, string[] inputs, int[] inShape, int[] outShape,
        Dictionary<string, long[]>? integers = null, ConvolutionAttributes? window = null) =>
        new(name, op, inputs, [name + "_out"], window, outShape.Length == 4 ? [outShape[2], outShape[3]] : null)
        {
            InputShape = inShape,
            OutputShapes = [outShape],
            Integers = integers ?? [],
        };

    /// <summary>conv 3×3/2 pad 1 on a 32×32 image: 8 channels of 16×16, field size 3, jump 2, start −1.</summary>
    private static ReceptiveFieldNode Conv() => Node("conv", "Conv", ["x", "w"], [1, 3, 32, 32], [1, 8, 16, 16], window: Window(3, 2, 1));

    private static readonly ReceptiveFieldAxis ConvAxis = new(3, 2, -1);

    private static ReceptiveFields Compute(params ReceptiveFieldNode[] nodes) => ReceptiveFieldCalculator.Compute("x", 32, 32, nodes);

    [TestMethod]
    public void SliceOfRowsAndColumns_KeepsTheSizeAndMovesTheStart()
    {
        var f = Compute(Conv(),
            Node("rows", "Slice", ["conv_out", "s", "e", "a"], [1, 8, 16, 16], [1, 8, 8, 4],
                new() { ["input1"] = [2, -4], ["input2"] = [10, 1000], ["input3"] = [2, 3] }),
            // opset-9 attributes; a step of 2 on columns is a 1×1 window of stride 2
            Node("strided", "Slice", ["x"], [1, 3, 32, 32], [1, 3, 32, 16], new() { ["starts"] = [1], ["ends"] = [100], ["axes"] = [3] }),
            Node("stepped", "Slice", ["x", "s2", "e2", "a2", "st2"], [1, 3, 32, 32], [1, 3, 32, 16],
                new() { ["input1"] = [1], ["input2"] = [100], ["input3"] = [-1], ["input4"] = [2] }));
        // rows from 2: start −1 + 2·2 = 3; columns from −4 + 16 = 12: start −1 + 12·2 = 23
        Assert.AreEqual(new ReceptiveField(new(3, 2, 3), new(3, 2, 23)), f["rows"]);
        Assert.AreEqual((8, 4), f.SpatialSize("rows"));
        Assert.AreEqual(new ReceptiveField(ReceptiveFieldAxis.Pixel, new(1, 1, 1)), f["strided"]);
        Assert.AreEqual((32, 31), f.SpatialSize("strided"));
        Assert.AreEqual(new ReceptiveField(ReceptiveFieldAxis.Pixel, new(1, 2, 1)), f["stepped"]);
        Assert.AreEqual((32, 16), f.SpatialSize("stepped"));
    }

    [TestMethod]
    public void SliceOfChannels_KeepsTheField_BackwardStepsAreNotFollowed()
    {
        var f = Compute(Conv(),
            Node("chunk", "Slice", ["conv_out", "s", "e", "a"], [1, 8, 16, 16], [1, 4, 16, 16], new() { ["input1"] = [4], ["input2"] = [8], ["input3"] = [1] }),
            Node("flip", "Slice", ["conv_out", "s", "e", "a", "st"], [1, 8, 16, 16], [1, 8, 16, 16],
                new() { ["input1"] = [-1], ["input2"] = [-1000], ["input3"] = [3], ["input4"] = [-1] }));
        Assert.AreEqual(new ReceptiveField(ConvAxis, ConvAxis), f["chunk"]);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => f["flip"]).Message, "steps backwards");
    }

    [TestMethod]
    public void ShuffleNetChannelShuffle_KeepsTheInputsField()
    {
        var f = Compute(Conv(),
            Node("split", "Reshape", ["conv_out", "shape5"], [1, 8, 16, 16], [1, 2, 4, 16, 16]),
            Node("swap", "Transpose", ["split_out"], [1, 2, 4, 16, 16], [1, 4, 2, 16, 16], new() { ["perm"] = [0, 2, 1, 3, 4] }),
            Node("merge", "Reshape", ["swap_out", "shape4"], [1, 4, 2, 16, 16], [1, 8, 16, 16]),
            Node("relu", "Relu", ["merge_out"], [1, 8, 16, 16], [1, 8, 16, 16]));
        var conv = new ReceptiveField(ConvAxis, ConvAxis);
        Assert.AreEqual(conv, f["merge"]);
        Assert.AreEqual(conv, f["relu"]);
        Assert.AreEqual((16, 16), f.SpatialSize("relu"));
    }

    [TestMethod]
    public void ConvNeXtChannelsLastBlock_KeepsTheField()
    {
        // Transpose NCHW→NHWC, a pointwise layer norm and MatMul over channels, Transpose back, residual add
        var f = Compute(Conv(),
            Node("nhwc", "Transpose", ["conv_out"], [1, 8, 16, 16], [1, 16, 16, 8], new() { ["perm"] = [0, 2, 3, 1] }),
            Node("mean", "ReduceMean", ["nhwc_out", "axes"], [1, 16, 16, 8], [1, 16, 16, 1], new() { ["input1"] = [-1] }),
            Node("centred", "Sub", ["nhwc_out", "mean_out"], [1, 16, 16, 8], [1, 16, 16, 8]),
            Node("linear", "MatMul", ["centred_out", "w2"], [1, 16, 16, 8], [1, 16, 16, 32]),
            Node("nchw", "Transpose", ["linear_out"], [1, 16, 16, 32], [1, 32, 16, 16], new() { ["perm"] = [0, 3, 1, 2] }),
            Node("project", "Conv", ["nchw_out", "w3"], [1, 32, 16, 16], [1, 8, 16, 16], window: Window(1, 1, 0)),
            Node("add", "Add", ["project_out", "conv_out"], [1, 8, 16, 16], [1, 8, 16, 16]));
        var conv = new ReceptiveField(ConvAxis, ConvAxis);
        Assert.AreEqual(conv, f["linear"]);
        Assert.AreEqual(conv, f["nchw"]);
        Assert.AreEqual(conv, f["add"]);
    }

    [TestMethod]
    public void Gather_OnChannelsKeepsTheField_OnRowsIsNotFollowed()
    {
        var f = Compute(Conv(),
            Node("pick", "Gather", ["conv_out", "idx"], [1, 8, 16, 16], [1, 3, 16, 16], new() { ["axis"] = [1], ["input1"] = [0, 5, 5] }),
            Node("one", "Gather", ["conv_out", "i0"], [1, 8, 16, 16], [1, 16, 16], new() { ["axis"] = [1], ["input1"] = [2] }),   // scalar index: [N,H,W]
            Node("back", "Unsqueeze", ["one_out", "ax"], [1, 16, 16], [1, 1, 16, 16], new() { ["input1"] = [1] }),
            Node("conv2", "Conv", ["back_out", "w2"], [1, 1, 16, 16], [1, 1, 16, 16], window: Window(3, 1, 1)),
            Node("row", "Gather", ["conv_out", "i1"], [1, 8, 16, 16], [1, 8, 3, 16], new() { ["axis"] = [2], ["input1"] = [0, 1, 2] }));
        Assert.AreEqual(new ReceptiveField(ConvAxis, ConvAxis), f["pick"]);
        Assert.AreEqual(new ReceptiveField(ConvAxis, ConvAxis), f["back"]);
        var grown = new ReceptiveFieldAxis(7, 2, -3);          // 3 + 2·2, start −1 − 1·2
        Assert.AreEqual(new ReceptiveField(grown, grown), f["conv2"]);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => f["row"]).Message, "along spatial axis 2");
    }

    [TestMethod]
    public void ExpandAndTile_OnChannelsKeepTheField_TilingRowsIsNotFollowed()
    {
        var f = Compute(Conv(),
            Node("pool", "GlobalAveragePool", ["conv_out"], [1, 8, 16, 16], [1, 8, 1, 1]),
            Node("gate", "Expand", ["pool_out", "shape"], [1, 8, 1, 1], [1, 8, 16, 16]),
            Node("gated", "Mul", ["conv_out", "gate_out"], [1, 8, 16, 16], [1, 8, 16, 16]),
            Node("wide", "Expand", ["conv_out", "shape2"], [1, 8, 16, 16], [2, 1, 8, 16, 16]),
            Node("tiled", "Tile", ["conv_out", "reps"], [1, 8, 16, 16], [1, 16, 16, 16], new() { ["input1"] = [1, 2, 1, 1] }),
            Node("tiledRows", "Tile", ["conv_out", "reps2"], [1, 8, 16, 16], [1, 8, 32, 16], new() { ["input1"] = [1, 1, 2, 1] }));
        var conv = new ReceptiveField(ConvAxis, ConvAxis);
        Assert.AreEqual(conv, f["gated"]);          // the broadcast gate does not widen the map's field
        Assert.AreEqual(conv, f["wide"]);
        Assert.AreEqual(conv, f["tiled"]);
        StringAssert.Contains(Assert.ThrowsExactly<CnnDiagnosticsException>(() => f["tiledRows"]).Message, "repeats the image's rows or columns");
    }

    [TestMethod]
    public void Pools_GlobalMaxAndLpAreGlobal_LpPoolIsAWindow_MaxOverChannelsKeepsTheField()
    {
        var f = Compute(Conv(),
            Node("gmax", "GlobalMaxPool", ["conv_out"], [1, 8, 16, 16], [1, 8, 1, 1]),
            Node("glp", "GlobalLpPool", ["conv_out"], [1, 8, 16, 16], [1, 8, 1, 1]),
            Node("lp", "LpPool", ["conv_out"], [1, 8, 16, 16], [1, 8, 8, 8], window: Window(2, 2, 0)),
            Node("cmax", "ReduceMax", ["conv_out"], [1, 8, 16, 16], [1, 1, 16, 16], new() { ["axes"] = [1], ["keepdims"] = [1] }),
            Node("hmax", "ReduceMax", ["conv_out"], [1, 8, 16, 16], [1, 8, 16], new() { ["axes"] = [2], ["keepdims"] = [0] }));
        var whole = new ReceptiveFieldAxis(33, 2, -1);          // 3 + 15·2
        Assert.AreEqual(new ReceptiveField(whole, whole), f["gmax"]);
        Assert.AreEqual(new ReceptiveField(whole, whole), f["glp"]);
        Assert.AreEqual(new ReceptiveField(new(5, 4, -1), new(5, 4, -1)), f["lp"]);
        Assert.AreEqual(new ReceptiveField(ConvAxis, ConvAxis), f["cmax"]);
        Assert.AreEqual((1, 1), f.SpatialSize("hmax"));
    }

    [TestMethod]
    public void ConvTransposeAndResize_AreNotFollowed_WithTheReason()
    {
        var f = Compute(Conv(),
            Node("deconv", "ConvTranspose", ["conv_out", "w"], [1, 8, 16, 16], [1, 8, 32, 32], window: Window(2, 2, 0)),
            Node("up", "Resize", ["conv_out", "", "scales"], [1, 8, 16, 16], [1, 8, 32, 32]),
            Node("old", "Upsample", ["conv_out", "scales"], [1, 8, 16, 16], [1, 8, 32, 32]));
        foreach (var (layer, op) in new[] { ("deconv", "ConvTranspose"), ("up", "Resize"), ("old", "Upsample") })
        {
            var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => f[layer]);
            StringAssert.Contains(e.Message, $"{op} node '{layer}'");
            StringAssert.Contains(e.Message, "sampling grid");
        }
    }

    [TestMethod]
    public void ShapeArithmetic_IsMetadata_ReshapeAndSliceWithComputedParametersKeepTheField()
    {
        var f = Compute(Conv(),
            Node("shape", "Shape", ["conv_out"], [1, 8, 16, 16], [4]),
            Node("batch", "Gather", ["shape_out", "zero"], [4], [], new() { ["axis"] = [0], ["input1"] = [0] }),
            Node("batch1", "Unsqueeze", ["batch_out", "ax"], [], [1], new() { ["input1"] = [0] }),
            Node("target", "Concat", ["batch1_out", "rest"], [1], [5], new() { ["axis"] = [0] }),
            Node("grouped", "Reshape", ["conv_out", "target_out"], [1, 8, 16, 16], [1, 2, 4, 16, 16]),
            Node("half", "Div", ["batch_out", "two"], [], []),
            Node("crop", "Slice", ["grouped_out", "half_out", "end", "axes"], [1, 2, 4, 16, 16], [1, 1, 4, 16, 16]));
        var conv = new ReceptiveField(ConvAxis, ConvAxis);
        Assert.AreEqual(conv, f["grouped"]);
        Assert.AreEqual(conv, f["crop"]);                       // bounds computed, but rows and columns measured untouched
        Assert.IsFalse(f.TryGet("target", out _));              // shape values carry no field
    }

    [TestMethod]
    public void SliceInARealModel_FieldsComeFromItsConstantInputs()
    {
        // Describe reads the opset-13 Slice's constant inputs and the measured shapes of a model built in ONNX
        var m = new TinyModel([1, 1, 12, 12]);
        m.Node("Conv", ["x", m.Weight("w", 2, 1, 3, 3)], "c", Is("strides", 2, 2), Is("pads", 1, 1, 1, 1));   // 6×6, size 3, jump 2, start −1
        m.Node("Slice", ["c", m.Ints("s", 1, 0), m.Ints("e", 5, 6), m.Ints("a", 2, 3), m.Ints("st", 1, 2)], "y");
        var graph = ModelGraph.Load(m.Build("y"), "slice");
        var f = ReceptiveFieldCalculator.Compute(graph);
        Assert.AreEqual(new ReceptiveField(new(3, 2, 1), new(3, 4, -1)), f["y_node"]);
        Assert.AreEqual((4, 3), f.SpatialSize("y_node"));
    }
}
