using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class PruningTests
{
    [TestMethod]
    public void ResNet18_TapOfTheFirstLayers_PrunedKeepsOnlyTheirWeightsAndTheSameValues()
    {
        var model = ResNet18Fixture.Model.WithSymbolicBatch();
        string relu = model.Layers.First(l => l.OpType == "Relu").Outputs[0];
        var tapped = model.WithOnlyOutputs([relu]);
        var pruned = tapped.PrunedToOutputs();

        // conv, batch norm, relu of the first block remain; the other 70-odd layers and their weights are gone
        Assert.IsLessThan(6, pruned.Layers.Count, string.Join(", ", pruned.Layers.Select(l => l.OpType)));
        Assert.IsLessThan(tapped.ToBytes().Length / 100, pruned.ToBytes().Length);
        Assert.AreEqual(tapped.ImageInput.Name, pruned.ImageInput.Name);

        var x = ResNet18Fixture.Digits(2);
        using var full = new OnnxExecutor(tapped);
        using var small = new OnnxExecutor(pruned);
        var expected = full.Run(x)[relu];
        var actual = small.Run(x)[relu];
        CollectionAssert.AreEqual(expected.Shape, actual.Shape);
        Assert.IsTrue(expected.Data.AsSpan().SequenceEqual(actual.Data), "the pruned graph's output differs from the full graph's");
    }

    [TestMethod]
    public void ResNet18_EmbeddingOutput_NothingToPrune_ReturnsTheSameGraph()
    {
        var model = ResNet18Fixture.Model.WithSymbolicBatch().WithOnlyOutputs([DefaultModels.ResNet18Embedding]);
        Assert.AreSame(model, model.PrunedToOutputs());
    }
}
