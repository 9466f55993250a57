using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// Sessions made the memory-frugal way (issue 18: the model handed to ONNX Runtime through a temporary file written
/// from the protobuf) run the same model as sessions made from the serialised bytes.
/// </summary>
[TestClass]
public sealed class FrugalLoadingTests
{
    [TestMethod]
    public void ReportSessions_AreMadeFrugally_AndOthersAreNot()
    {
        Assert.IsTrue(new ExecutionOptions().WithBoundedMemory(1).FrugalLoading);
        Assert.IsFalse(new ExecutionOptions().FrugalLoading);
    }

    [TestMethod]
    public void FrugalSession_GivesTheOutputsOfASessionMadeFromBytes()
    {
        var graph = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small");
        var random = new Random(5);
        var x = new FloatTensor([3, 2, 8, 8], Enumerable.Range(0, 3 * 2 * 8 * 8).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray());
        using var fromBytes = new OnnxExecutor(graph);
        using var frugal = new OnnxExecutor(graph, new ExecutionOptions { FrugalLoading = true });
        var expected = fromBytes.Run(x)["logits"];
        var actual = frugal.Run(x)["logits"];
        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        CollectionAssert.AreEqual(expected.Data, actual.Data, "the same model, the same kernels: bit-identical logits");
    }

    [TestMethod]
    public void FrugalBackwardSession_GivesTheGradientsOfASessionMadeFromBytes()
    {
        var model = ResNet18Fixture.Model;
        var x = ResNet18Fixture.Digits(2);
        var target = new ClassTarget([3, 1]);
        using var fromBytes = new GradientEngine(model);
        var expected = fromBytes.Compute(x, target).Gradients[fromBytes.InputName];
        fromBytes.Dispose();
        using var frugal = new GradientEngine(model, execution: new ExecutionOptions { FrugalLoading = true });
        var actual = frugal.Compute(x, target).Gradients[frugal.InputName];
        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        CollectionAssert.AreEqual(expected.Data, actual.Data, "the same backward graph, the same kernels: bit-identical gradients");
    }
}
