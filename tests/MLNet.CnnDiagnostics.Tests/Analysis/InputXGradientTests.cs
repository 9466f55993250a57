using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Tests.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class InputXGradientTests
{
    [TestMethod]
    public void OnALinearModel_IsTheInputTimesTheWeights_AndIsReachableByName()
    {
        // y = Σ w ⊙ x (a conv whose kernel covers the image): ∂y/∂x = w, so the attribution is x ⊙ w and sums to y
        var m = new TinyModel([1, 2, 5, 5], seed: 8);
        m.Node("Conv", ["x", m.Weight("w", 1, 2, 5, 5)], "y");
        using var engine = new GradientEngine(m.Build("y"));
        var r = new Random(8);
        var w = Enumerable.Range(0, 50).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var x = FiniteDifferences.RandomInput([2, 2, 5, 5], 4);
        var method = AttributionRegistry.Get("input-x-gradient").Create(new AttributionSetup { Engine = engine, ImageHeight = 5, ImageWidth = 5, BatchSize = 1 });
        Assert.IsInstanceOfType<InputXGradient>(method);
        var map = method.Explain(x, new ClassTarget(0));
        CollectionAssert.AreEqual(new[] { 2, 2, 5, 5 }, map.Values.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int i = 0; i < 50; i++) Assert.AreEqual(x.Data[n * 50 + i] * w[i], map.Values.Data[n * 50 + i], 1e-5);
            var pixels = map.ImageMap(n);
            for (int p = 0; p < 25; p++)
                Assert.AreEqual(x.Data[n * 50 + p] * w[p] + x.Data[n * 50 + 25 + p] * w[25 + p], pixels.Data[p], 1e-5, "a pixel shows its signed total over channels");
        }
    }
}
