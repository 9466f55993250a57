using MLNet.CnnDiagnostics.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>
/// Backward rules of structural ops (slicing, gathering, broadcasting, resizing, transposed convolution, max and norm
/// reductions, shape arithmetic) against central finite differences on small random models. The differences run the
/// model at a batch of 2·(input size), so rules that baked in the probed batch would fail here too.
/// </summary>
[TestClass]
public sealed class StructuralOpTests
{
    // as in BackwardRuleTests: float32 central differences, step 1e-3, O(1) values
    private const double Tolerance = 2e-3;

    private static double AssertMatches(TinyModel m, string output, int seed = 7)
    {
        using var engine = new GradientEngine(m.Build(output));
        // the model must batch (a fallback to its fixed batch of 1 would hide rules that bake in the probed batch)
        Assert.IsNull(engine.Builder.FixedBatch, "the test model does not run at a symbolic batch");
        double error = FiniteDifferences.Check(engine, m.InputShape, seed);
        Console.WriteLine($"relative error {error:E2}");
        Assert.IsLessThan(Tolerance, error, $"relative error {error:E2}");
        return error;
    }

    /// <summary>Flattens each tensor and concatenates them (no squashing after them: it would hide errors where it saturates).</summary>
    private static string Collect(TinyModel m, params string[] tensors)
    {
        var flat = tensors.Select(t => m.Node("Flatten", [t], t + "_flat", I("axis", 1))).ToArray();
        return flat.Length == 1 ? flat[0] : m.Node("Concat", flat, "collected", I("axis", 1));
    }

    [TestMethod]
    public void Slice_NegativeClampedIndicesAndSteps()
    {
        var m = new TinyModel([1, 3, 7, 8]);
        m.Node("Slice", ["x", m.Ints("s1", -6, 1, 1), m.Ints("e1", 100, -1, 3), m.Ints("a1", 2, 3, 1), m.Ints("st1", 2, 1, 1)], "a");  // rows 1,3,5; columns 1..6; channels 1..2
        m.Node("Slice", ["x", m.Ints("s2", -1), m.Ints("e2", -100), m.Ints("a2", -1), m.Ints("st2", -3)], "b");                        // columns 7,4,1
        m.Node("Slice", ["x", m.Ints("s3", 0, 2), m.Ints("e3", long.MaxValue, 5)], "c");                                               // no axes: axes 0 (all), 1
        AssertMatches(m, Collect(m, "a", "b", "c"));
    }

    [TestMethod]
    public void Slice_UnitSteps_AsZeroPad_ConstantAndComputedBounds()
    {
        // unit steps take the Pad route: constant bounds (negative, clamped, end before start on no axis), explicit steps of 1,
        // bounds computed at run time (some negative, some past the end), and a slice of the batch axis
        var m = new TinyModel([1, 4, 6, 7]);
        m.Node("Slice", ["x", m.Ints("s1", 1, -5, -100), m.Ints("e1", 3, -1, 5), m.Ints("a1", 1, 2, -1), m.Ints("st1", 1, 1, 1)], "a");
        m.Node("Identity", [m.Ints("s2l", 2, 0)], "s2");
        m.Node("Identity", [m.Ints("e2l", 100, -2)], "e2");
        m.Node("Slice", ["x", "s2", "e2", m.Ints("a2", 3, 1)], "b");
        m.Node("Shape", ["x"], "shape");
        m.Node("Gather", ["shape", m.Ints("hw", 2, 3)], "rowsColumns");                    // [H, W]
        m.Node("Div", ["rowsColumns", m.Ints("three", 3)], "third");                        // [2, 2]
        m.Node("Neg", ["third"], "minusThird");                                             // [−2, −2]
        m.Node("Slice", ["x", "third", "minusThird", m.Ints("a3", 2, 3)], "c");            // rows 2..3, columns 2..4
        m.Node("Slice", ["x", m.Ints("s4", 0, 1), m.Ints("e4", long.MaxValue, 3), m.Ints("a4", 0, 1)], "d");
        AssertMatches(m, Collect(m, "a", "b", "c", "d"));
    }

    [TestMethod]
    public void Slice_Opset9Attributes_AreUpgraded()
    {
        var m = new TinyModel([1, 2, 5, 6], opset: 9);
        m.Node("Slice", ["x"], "a", Is("starts", 1, -4), Is("ends", 4, 1000), Is("axes", 2, 3));
        m.Node("Slice", ["x"], "b", Is("starts", 0, 1), Is("ends", 1000, 2));
        AssertMatches(m, Collect(m, "a", "b"));
    }

    [TestMethod]
    public void Slice_Tile_Expand_WithParametersComputedFromShapes()
    {
        // torch.onnx at opset 11+ computes such parameters: Shape → Gather → arithmetic → Unsqueeze → Concat
        var m = new TinyModel([1, 4, 3, 5]);
        m.Node("Shape", ["x"], "shape");
        m.Node("Gather", ["shape", m.IntScalar("one", 1)], "channels");                  // C (scalar)
        m.Node("Div", ["channels", m.IntScalar("two", 2)], "half");
        m.Node("Unsqueeze", ["half", m.Ints("ax0", 0)], "half1");
        m.Node("Slice", ["x", "half1", m.Ints("big", long.MaxValue), m.Ints("chan", 1)], "upper");          // channels C/2..C
        m.Node("Concat", [m.Ints("ones", 1, 1), "half1", m.Ints("one1", 1)], "reps", I("axis", 0));         // [1,1,C/2,1]
        m.Node("Tile", ["upper", "reps"], "tiled");                                                          // [N,2,6,5]: rows repeated C/2 times
        m.Node("ReduceMean", ["x"], "rowmean", Is("axes", 2), I("keepdims", 1));                            // [N,4,1,5]
        m.Node("Expand", ["rowmean", "shape"], "expanded");                                                  // back to Shape(x)
        m.Node("Mul", ["expanded", "x"], "gated");
        AssertMatches(m, Collect(m, "tiled", "gated"));
    }

    [TestMethod]
    public void ShapeSubgraph_FeedingReshapeAndFlatten()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Conv", ["x", m.Weight("w", 3, 2, 1, 1)], "c");
        m.Node("Shape", ["c"], "s");
        m.Node("Gather", ["s", m.IntScalar("zero", 0)], "n");
        m.Node("Unsqueeze", ["n", m.Ints("ax", 0)], "n1");
        m.Node("Concat", ["n1", m.Ints("rest", 3, -1)], "target", I("axis", 0));
        m.Node("Reshape", ["c", "target"], "r");                                         // [N,3,12]
        m.Node("Softmax", ["r"], "sm", I("axis", -1));
        m.Node("Flatten", ["sm"], "y", I("axis", 1));
        AssertMatches(m, "y");
    }

    [TestMethod]
    public void Split_Opset18NumOutputs_Uneven()
    {
        var m = new TinyModel([1, 5, 2, 3], opset: 18);
        m.Nodes("Split", ["x"], ["a", "b", "c"], I("axis", 1), I("num_outputs", 3));   // 2, 2, 1 channels
        m.Node("Mul", ["a", "b"], "ab");
        AssertMatches(m, Collect(m, "ab", "c"));
    }

    [TestMethod]
    public void Gather_VectorScalarAndNegativeIndices_WithRepeats()
    {
        var m = new TinyModel([1, 3, 4, 5]);
        m.Node("Gather", ["x", m.Ints("idx", 2, -1, 0, 2)], "channels", I("axis", 1));            // channel 2 three times
        m.Node("Gather", ["x", m.IntScalar("row", -2)], "row2", I("axis", 2));                     // [N,3,5]
        m.Node("Gather", ["x", m.IntTensor("grid", [0, 4, 4, 1], 2, 2)], "cols", I("axis", 3));   // [N,3,4,2,2]
        // GatherElements' indices carry the batch axis: expanded to the run-time batch through shape arithmetic
        m.Node("Shape", ["x"], "shape");
        m.Node("Slice", ["shape", m.Ints("b0", 0), m.Ints("b1", 1)], "batch");
        m.Node("Concat", ["batch", m.Ints("rest", 3, 4, 2)], "elShape", I("axis", 0));
        m.Node("Expand", [m.IntTensor("elements", Enumerable.Range(0, 3 * 4 * 2).Select(i => (long)(i * 7 % 5)).ToArray(), 1, 3, 4, 2), "elShape"], "elIndices");
        m.Node("GatherElements", ["x", "elIndices"], "el", I("axis", 3));
        AssertMatches(m, Collect(m, "channels", "row2", "cols", "el"));
    }

    [TestMethod]
    public void SqueezeUnsqueeze_AttributesAndInputs()
    {
        var old = new TinyModel([1, 3, 1, 4], opset: 11);
        old.Node("Squeeze", ["x"], "s", Is("axes", 2));
        old.Node("Unsqueeze", ["s"], "u", Is("axes", 1, 4));
        AssertMatches(old, Collect(old, "u"));
        var m = new TinyModel([1, 3, 1, 4], opset: 13);
        m.Node("Squeeze", ["x", m.Ints("ax", -2)], "s");
        m.Node("Unsqueeze", ["s", m.Ints("ax2", 1)], "u");
        AssertMatches(m, Collect(m, "u"));
    }

    [TestMethod]
    public void ExpandAndTile_ConstantShapes()
    {
        var m = new TinyModel([1, 2, 3, 1]);
        m.Node("Expand", ["x", m.Ints("shape", 1, 1, 3, 4)], "e");                      // broadcasts columns
        m.Node("Tile", ["x", m.Ints("reps", 1, 3, 2, 2)], "t");
        AssertMatches(m, Collect(m, "e", "t"));
    }

    /// <summary>Resize sizes as torch.onnx writes them at opset 11: the input's batch and channels (Shape → Slice) and constant rows and columns.</summary>
    private static string Sizes(TinyModel m, string name, long height, long width)
    {
        if (!m.HasTensor("shape_nc"))
            m.Node("Slice", [m.Node("Shape", ["x"], "shape_x"), m.Ints("nc_start", 0), m.Ints("nc_end", 2)], "shape_nc");
        return m.Node("Concat", ["shape_nc", m.Ints(name + "_hw", height, width)], name, I("axis", 0));
    }

    [TestMethod]
    public void Resize_NearestIntegerScale_AndNonIntegerSizes()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Resize", ["x", "", m.Floats("scales", 1, 1, 2, 3)], "up", S("mode", "nearest"));                     // half_pixel, round_prefer_floor
        m.Node("Resize", ["x", "", "", Sizes(m, "sizes", 5, 7)], "odd", S("mode", "nearest"),
            S("coordinate_transformation_mode", "asymmetric"), S("nearest_mode", "ceil"));
        m.Node("Resize", ["x", "", "", Sizes(m, "smaller", 2, 3)], "down", S("mode", "nearest"),
            S("coordinate_transformation_mode", "half_pixel"), S("nearest_mode", "round_prefer_ceil"));
        AssertMatches(m, Collect(m, "up", "odd", "down"));
    }

    [TestMethod]
    public void Resize_Linear_HalfPixelAlignCornersPytorch()
    {
        var m = new TinyModel([1, 2, 4, 5]);
        m.Node("Resize", ["x", "", m.Floats("scales", 1, 1, 2, 2)], "hp", S("mode", "linear"));                   // half_pixel (the default)
        m.Node("Resize", ["x", "", "", Sizes(m, "sizes", 7, 3)], "ac", S("mode", "linear"), S("coordinate_transformation_mode", "align_corners"));
        m.Node("Resize", ["x", "", "", Sizes(m, "sizes2", 3, 8)], "pt", S("mode", "linear"), S("coordinate_transformation_mode", "pytorch_half_pixel"));
        AssertMatches(m, Collect(m, "hp", "ac", "pt"));
    }

    [TestMethod]
    public void Resize_Opset18AxesAndOpset19HalfPixelSymmetric()
    {
        var m = new TinyModel([1, 2, 3, 4], opset: 19);
        m.Node("Resize", ["x", "", m.Floats("scales", 2, 1.5f)], "a", S("mode", "linear"), Is("axes", 2, 3));
        m.Node("Resize", ["x", "", "", m.Ints("sizes", 5, 6)], "b", S("mode", "linear"), Is("axes", -2, -1), S("coordinate_transformation_mode", "half_pixel_symmetric"));
        AssertMatches(m, Collect(m, "a", "b"));
    }

    [TestMethod]
    public void Upsample_Opset9Nearest_Opset7Linear()
    {
        var m9 = new TinyModel([1, 2, 3, 4], opset: 9);
        m9.Node("Upsample", ["x", m9.Floats("scales", 1, 1, 2, 2)], "y", S("mode", "nearest"));
        AssertMatches(m9, Collect(m9, "y"));
        var m7 = new TinyModel([1, 2, 3, 4], opset: 7);
        m7.Node("Upsample", ["x"], "y", S("mode", "linear"), Fs("scales", 1, 1, 2, 1.5f));
        AssertMatches(m7, Collect(m7, "y"));
    }

    [TestMethod]
    public void Resize_CubicMode_IsRefusedByName()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Resize", ["x", "", m.Floats("scales", 1, 1, 2, 2)], "y", S("mode", "cubic"));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => FiniteDifferences.Check(m.Build("y"), m.InputShape));
        StringAssert.Contains(e.Message, "'cubic'");
        StringAssert.Contains(e.Message, "y_node");
    }

    [TestMethod]
    public void ConvTranspose_StridesPadsOutputPaddingGroupsDilation()
    {
        var m = new TinyModel([1, 4, 3, 4]);
        m.Node("ConvTranspose", ["x", m.Weight("w", 4, 3, 3, 2), m.Weight("bias", 6)], "a",
            Is("strides", 2, 3), Is("pads", 1, 0, 0, 1), Is("output_padding", 1, 2), I("group", 2), Is("dilations", 1, 2));
        m.Node("ConvTranspose", ["x", m.Weight("w2", 4, 2, 3, 3)], "b",
            Is("strides", 2, 2), Is("output_shape", 6, 8));                                        // total pads 1 and 1: split by ONNX Runtime's rule
        m.Node("ConvTranspose", ["x", m.Weight("w3", 4, 1, 2, 3)], "c", Is("strides", 2, 2), S("auto_pad", "SAME_UPPER"));
        AssertMatches(m, Collect(m, "a", "b", "c"));
    }

    [TestMethod]
    public void GlobalMaxPool_AndReduceMaxMin_RouteToTheWinners()
    {
        var m = new TinyModel([1, 3, 4, 5], opset: 13);
        m.Node("GlobalMaxPool", ["x"], "g");
        m.Node("ReduceMax", ["x"], "rows", Is("axes", 2), I("keepdims", 0));                    // [N,3,5]
        m.Node("ReduceMin", ["x"], "chan", Is("axes", 1, -1), I("keepdims", 1));                // [N,1,4,1]
        AssertMatches(m, Collect(m, "g", "rows", "chan"));
    }

    [TestMethod]
    public void ReduceMax_Opset18AxesInput_AndNoopWithEmptyAxes()
    {
        var m = new TinyModel([1, 3, 4, 5], opset: 18);
        m.Node("ReduceMax", ["x", m.Ints("ax", 3, 1)], "a", I("keepdims", 0));                  // [N,4]
        m.Node("ReduceMin", ["x", m.Ints("none")], "b", I("noop_with_empty_axes", 1));          // identity
        m.Node("ReduceL2", ["x", m.Ints("none2")], "c", I("noop_with_empty_axes", 1), I("keepdims", 0));   // |x|
        AssertMatches(m, Collect(m, "a", "b", "c"));
    }

    [TestMethod]
    public void NormReductions_L1L2SumSquareLogSumExpLogSum()
    {
        var m = new TinyModel([1, 3, 4, 5], opset: 13);
        m.Node("ReduceL1", ["x"], "l1", Is("axes", 1), I("keepdims", 0));
        m.Node("ReduceL2", ["x"], "l2", Is("axes", 2, 3), I("keepdims", 1));
        m.Node("ReduceSumSquare", ["x"], "ss", Is("axes", -1), I("keepdims", 0));
        m.Node("ReduceLogSumExp", ["x"], "lse", Is("axes", 1, 2), I("keepdims", 1));
        m.Node("Mul", ["x", "x"], "sq");
        m.Node("Add", ["sq", m.Scalar("one", 1f)], "pos");
        m.Node("ReduceLogSum", ["pos"], "ls", Is("axes", 3), I("keepdims", 0));
        AssertMatches(m, Collect(m, "l1", "l2", "ss", "lse", "ls"));
    }

    [TestMethod]
    public void NormReductions_Opset18AxesInputs()
    {
        var m = new TinyModel([1, 3, 4, 5], opset: 18);
        m.Node("ReduceL2", ["x", m.Ints("a1", 1)], "l2", I("keepdims", 0));
        m.Node("ReduceLogSumExp", ["x", m.Ints("a2", 2, 3)], "lse", I("keepdims", 0));
        m.Node("ReduceSumSquare", ["x", m.Ints("a3", 1, 2, 3)], "all", I("keepdims", 1));      // every axis but the batch
        m.Node("Add", ["lse", m.Scalar("z", 0f)], "lse2");
        AssertMatches(m, Collect(m, "l2", "lse2", "all"));
    }

    [TestMethod]
    public void LpPool_P2AndP3_GlobalLpPool()
    {
        var m = new TinyModel([1, 2, 6, 7]);
        m.Node("LpPool", ["x"], "a", I("p", 2), Is("kernel_shape", 3, 2), Is("strides", 2, 2), Is("pads", 1, 0, 1, 1));
        m.Node("LpPool", ["x"], "b", I("p", 3), Is("kernel_shape", 2, 3), Is("strides", 1, 2));
        m.Node("GlobalLpPool", ["x"], "g", I("p", 2));
        AssertMatches(m, Collect(m, "a", "b", "g"));
    }

    [TestMethod]
    public void MatMul_BroadcastBatchAxesOfDifferentRanks_And1DOperands()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Reshape", ["x", m.Ints("s", 0, 1, 2, 3, 4)], "x5");                            // [N,1,2,3,4]
        m.Node("MatMul", ["x5", m.Weight("w", 5, 1, 4, 2)], "a");                               // [N,5,2,3,2]: both sides broadcast
        m.Node("MatMul", ["x", m.Weight("v", 4)], "b");                                         // [N,2,3]: 1-D right
        m.Node("MatMul", [m.Weight("u", 3), "x"], "c");                                         // [N,2,4]: 1-D left
        AssertMatches(m, Collect(m, "a", "b", "c"));
    }
}
