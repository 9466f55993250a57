using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class SymbolicBatchTests
{
    private static TensorProto Int64Tensor(string name, long[] values, bool raw) =>
        raw ? ConstantTensors.Int64(name, values) : new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { values.Length }, Int64Data = { values } };

    /// <summary>x[1,3,8,8] − Reshape(mean[3] → [1,3,1,1]) → Conv(4 out) → GlobalAveragePool → Reshape(→ [1,4]) with the flattening target from <paramref name="flatTarget"/>.</summary>
    private static GraphProto MeanSubtractingCnn(Action<GraphProto> flatTarget)
    {
        var g = new GraphProto { Name = "fixed" };
        g.Input.Add(Value("x", 1, 3, 8, 8));
        g.Initializer.Add(FloatInit("mean", [3], [0.1f, -0.2f, 0.3f]));
        g.Initializer.Add(Int64Tensor("mean_shape", [1, 3, 1, 1], raw: true));
        g.Initializer.Add(FloatInit("w", [4, 3, 3, 3], Random(108, 1)));
        flatTarget(g);
        g.Node.Add(Node("Reshape", "mean_reshape", ["mean", "mean_shape"], ["mean4"]));
        g.Node.Add(Node("Sub", "sub", ["x", "mean4"], ["centered"]));
        g.Node.Add(Node("Conv", "conv1", ["centered", "w"], ["c1"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)));
        g.Node.Add(Node("GlobalAveragePool", "gap", ["c1"], ["gap_out"]));
        g.Node.Add(Node("Reshape", "flat", ["gap_out", "flat_shape"], ["features"]));
        g.Output.Add(Value("features", 1, 4));
        return g;
    }

    private static void AssertBatchEqualsItems(ModelGraph model, string output)
    {
        var images = new FloatTensor([3, 3, 8, 8], Random(3 * 192, 7));
        using var single = new OnnxExecutor(model);
        using var batched = new OnnxExecutor(model.WithSymbolicBatch());
        var all = batched.Run(images)[output];
        CollectionAssert.AreEqual(new[] { 3, 4 }, all.Shape);
        for (int n = 0; n < 3; n++)
        {
            var one = single.Run(images.Slice(n))[output];
            CollectionAssert.AreEqual(new[] { 1, 4 }, one.Shape);
            for (int i = 0; i < one.Length; i++)
                Assert.AreEqual(one.Data[i], all.Slice(n).Data[i], 1e-5f, $"item {n}, feature {i}");
        }
    }

    [TestMethod]
    public void WeightReshapeKeepsItsShape_ImageReshapeFromInitializerCopiesTheBatch()
    {
        var g = MeanSubtractingCnn(g => g.Initializer.Add(Int64Tensor("flat_shape", [1, 4], raw: false)));
        var model = ModelGraph.Load(Model(g).ToByteArray(), "fixed");
        AssertBatchEqualsItems(model, "features");
        var batched = model.WithSymbolicBatch();
        CollectionAssert.AreEqual(new float[] { 1, 3, 1, 1 }, batched.GetWeight("mean_shape").Data, "the weight's Reshape target is not the batch");
        CollectionAssert.AreEqual(new float[] { 0, 4 }, batched.GetWeight("flat_shape").Data);
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void ImageReshapeFromConstantNode_CopiesTheBatch(bool raw)
    {
        var g = MeanSubtractingCnn(g => g.Node.Add(Node("Constant", "flat_const", [], ["flat_shape"],
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = Int64Tensor("flat_value", [1, 4], raw) })));
        var model = ModelGraph.Load(Model(g).ToByteArray(), "constant");
        AssertBatchEqualsItems(model, "features");
        CollectionAssert.AreEqual(new float[] { 0, 4 }, model.WithSymbolicBatch().GetWeight("flat_shape").Data);
    }

    [TestMethod]
    public void ReshapeWithAllowZero_IsLeftAlone()
    {
        var g = MeanSubtractingCnn(g => g.Initializer.Add(Int64Tensor("flat_shape", [1, 4], raw: true)));
        g.Node.Single(n => n.Name == "flat").Attribute.Add(Int("allowzero", 1));
        var model = ModelGraph.Load(Model(g, opset: 14).ToByteArray(), "allowzero");
        CollectionAssert.AreEqual(new float[] { 1, 4 }, model.WithSymbolicBatch().GetWeight("flat_shape").Data, "with allowzero=1 a 0 would mean an empty dimension");
    }

    [TestMethod]
    public void SharedReshapeTarget_IsLeftAlone()
    {
        var g = MeanSubtractingCnn(g => g.Initializer.Add(Int64Tensor("flat_shape", [1, 4], raw: true)));
        g.Node.Add(Node("Reshape", "flat_again", ["features", "flat_shape"], ["features2"]));
        var model = ModelGraph.Load(Model(g).ToByteArray(), "shared");
        CollectionAssert.AreEqual(new float[] { 1, 4 }, model.WithSymbolicBatch().GetWeight("flat_shape").Data);
    }
}
