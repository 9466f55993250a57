using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// One dry run per model: a graph rewritten without changing its tensors' shapes (taps, pruning, symbolic batch,
/// re-initialisation, input normalisation) takes the shapes its source measured instead of running the model again,
/// and those shapes are the ones a fresh load of the rewritten graph measures.
/// </summary>
[TestClass]
public sealed class ShapeServiceTests
{
    [TestMethod]
    public void ShapeKeepingRewrites_TakeTheSourceShapes_WithoutAnotherRun()
    {
        var model = ModelGraph.Load(TinyModels.SmallCnn(declareShapes: false, batch: 1).ToByteArray(), "small, batch 1");
        int before = ShapeService.RunCount;
        Assert.AreEqual(4, model.GetTensorInfo("p1").Shape![2]);
        Assert.AreEqual(before + 1, ShapeService.RunCount, "the layer table of a file without value_info is measured by one run");

        var derived = new[]
        {
            model.WithSymbolicBatch(),
            model.WithOutputs(["r1"]),
            model.WithOnlyOutputs(["p1"]).PrunedToOutputs(),
            model.WithReinitializedConvolutions(3),
            model.WithInputNormalization([0.5f], [0.25f]),
            model.WithSymbolicBatch().WithOutputs(["c1"]),
        };
        foreach (var d in derived) _ = d.Layers;
        Assert.AreEqual(before + 1, ShapeService.RunCount, "a rewrite that keeps every shape ran the model again");

        foreach (var d in derived)
        {
            var fresh = ModelGraph.Load(d.ToBytes(), "fresh " + d.SourceName);
            Assert.AreEqual(fresh.Layers.Count, d.Layers.Count);
            foreach (var (expected, actual) in fresh.Layers.Zip(d.Layers))
                CollectionAssert.AreEqual(expected.OutputShape, actual.OutputShape, $"{actual.Name} of a graph with {d.Outputs.Count} outputs, symbolic batch {d.HasSymbolicBatch}");
        }
        Assert.IsGreaterThan(before + 1, ShapeService.RunCount, "the fresh loads measure their own shapes");
    }

    [TestMethod]
    public void ARewriteThatChangesTheDryRunBatch_MeasuresItself()
    {
        var model = ModelGraph.Load(TinyModels.SmallCnn(declareShapes: false, batch: 2).ToByteArray(), "small, batch 2");
        _ = model.Layers;
        int before = ShapeService.RunCount;
        var symbolic = model.WithSymbolicBatch();
        CollectionAssert.AreEqual(new[] { -1, 4, 4, 4 }, symbolic.GetTensorInfo("p1").Shape);
        Assert.AreEqual(before + 1, ShapeService.RunCount, "batch 2 and a symbolic batch (run at 1) are measured apart");
    }
}
