using MLNet.CnnDiagnostics.Analysis.ClassVisualization;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Tests.Gradients;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class ClassVisualizerTests
{
    [TestMethod]
    public void Ascent_RaisesTwoClassScoresByALargeFactor_AndStaysFinite()
    {
        var engine = ResNet18GradientTests.Engine;
        var target = new ClassTarget([3, 8]);
        var options = new ClassVisualizationOptions { Steps = 40, LearningRate = 2f, BlurEvery = 4, Jitter = 2 };
        var start = new FloatTensor(2, 3, 224, 224);
        var r = new Random(options.Seed);
        for (int i = 0; i < start.Length; i++) start.Data[i] = options.InitialNoise * (float)(r.NextDouble() * 2 - 1);
        var before = engine.Evaluate(start, target).TargetValues;
        int reports = 0;
        var (images, after) = new ClassVisualizer(engine).Visualize(target, 2, options, new SynchronousProgress(() => reports++));
        Console.WriteLine($"before {string.Join(", ", before)} after {string.Join(", ", after)}");
        Assert.AreEqual(40, reports);
        Assert.IsTrue(images.Data.All(float.IsFinite));
        for (int n = 0; n < 2; n++)
            Assert.IsGreaterThan(Math.Abs(before[n]) * 10 + 1, after[n] - before[n]);
    }

    private sealed class SynchronousProgress(Action onReport) : IProgress<ClassVisualizationProgress>
    {
        public void Report(ClassVisualizationProgress value) => onReport();
    }
}
