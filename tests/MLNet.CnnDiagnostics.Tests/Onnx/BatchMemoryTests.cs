using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// Batches bounded in bytes (issue 18): the per-item memory estimate read from the graph's shapes, the rows per run it
/// allows, and gradients split into several runs equal to gradients of one run.
/// </summary>
[TestClass]
public sealed class BatchMemoryTests
{
    [TestMethod]
    public void PeakActivationBytes_OfTheSmallCnn_IsTheLargestLiveSetInNodeOrder()
    {
        var graph = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small");
        // by hand, float32 per item: x 2×8×8 (512 B) dies after conv; c1 and r1 4×8×8 (1,024 B each) are both alive at the
        // Relu: 2,048 B; then p1 256 B, gap 16 B, features 16 B, logits 12 B (an output, alive to the end)
        Assert.AreEqual(2048, graph.PeakActivationBytesPerItem());
    }

    [TestMethod]
    public void PeakActivationBytes_OfResNet18_LiesBetweenItsLargestStepAndAllItsActivations()
    {
        var graph = ResNet18Fixture.Model;
        var outputs = graph.Proto.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0 && !graph.IsWeight(o)).Distinct()
            .Select(o => ModelGraph.ItemBytes(graph.GetTensorInfo(o))).ToList();
        long largest = outputs.Max(), all = outputs.Sum() + ModelGraph.ItemBytes(graph.ImageInput);
        long peak = graph.PeakActivationBytesPerItem();
        // a node's output and its input are alive together, so the peak is at least the largest output and a bit more;
        // tensors die, so it is far below all of them together
        Assert.IsGreaterThan(largest, peak);
        Assert.IsLessThan(all / 2, peak, $"peak {peak:N0} B, all activations {all:N0} B");
        Console.WriteLine($"ResNet18 at 224 px, one item: peak live activations {peak / 1e6:F1} MB; all activations {all / 1e6:F1} MB; largest {largest / 1e6:F1} MB");
    }

    [TestMethod]
    public void RowsPerRun_FitsTheBudget_AndKeepsAtLeastOneRow()
    {
        var options = new ExecutionOptions { BatchMemoryMegabytes = 64 };
        Assert.AreEqual(4, options.RowsPerRun(15L << 20, 32), "64 MB / 15 MB a row");
        Assert.AreEqual(32, options.RowsPerRun(1 << 10, 32), "small rows keep the whole batch");
        Assert.AreEqual(1, options.RowsPerRun(100L << 20, 32), "a row larger than the budget still runs, alone");
        Assert.AreEqual(32, new ExecutionOptions { BatchMemoryMegabytes = 0 }.RowsPerRun(100L << 20, 32), "0: no limit");
        Assert.AreEqual(32, options.RowsPerRun(0, 32), "unknown size: no limit");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ExecutionOptions { BatchMemoryMegabytes = -1 }.RowsPerRun(1, 2));
    }

    [TestMethod]
    public void Gradients_SplitByTheBudget_EqualTheGradientsOfOneRun()
    {
        var model = ResNet18Fixture.Model;
        var x = ResNet18Fixture.Digits(3);
        var target = new ClassTarget([3, 1, 7]);
        using var probe = new GradientEngine(model);
        long perItem = probe.Builder.BytesPerItem(probe.GraphFor(null, [probe.InputName]));
        probe.Dispose();
        // a budget of two items: the batch of three runs as two items and then one
        var bounded = new ExecutionOptions { BatchMemoryMegabytes = (int)(2 * perItem / (1 << 20)) + 1 };
        Assert.AreEqual(2, bounded.RowsPerRun(perItem, 3), $"ResNet18 needs {perItem / 1e6:F0} MB an item forward + backward");
        using var split = new GradientEngine(model, execution: bounded);
        var parts = split.Compute(x, target).Gradients[split.InputName];
        split.Dispose();
        using var whole = new GradientEngine(model, execution: new ExecutionOptions { BatchMemoryMegabytes = 0 });
        var once = whole.Compute(x, target).Gradients[whole.InputName];
        CollectionAssert.AreEqual(once.Shape, parts.Shape);
        float scale = once.Data.Max(MathF.Abs), worst = 0;
        for (int i = 0; i < once.Length; i++) worst = MathF.Max(worst, MathF.Abs(once.Data[i] - parts.Data[i]));
        Assert.IsLessThan(1e-5f * scale, worst, $"largest difference {worst} against gradients up to {scale}");
    }
}
