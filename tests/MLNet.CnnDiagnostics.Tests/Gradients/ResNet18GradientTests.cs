using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Gradients;

/// <summary>The embedded ResNet18 (CNTK export, opset 8, batch fixed at 1) with a random linear head: gradients through the real network.</summary>
[TestClass]
public sealed class ResNet18GradientTests
{
    internal static GradientEngine Engine => Shared.Value;

    private static readonly Lazy<GradientEngine> Shared = new(() => new GradientEngine(DefaultModels.LoadResNet18(), RandomHead(10, 512, 3)));

    internal static LinearHead RandomHead(int classes, int features, int seed)
    {
        var r = new Random(seed);
        var w = new FloatTensor(classes, features);
        for (int i = 0; i < w.Length; i++) w.Data[i] = (float)((r.NextDouble() * 2 - 1) * 0.1);
        return new LinearHead(DefaultModels.ResNet18Embedding, w, Enumerable.Range(0, classes).Select(c => c * 0.01f).ToArray());
    }

    /// <summary>A smooth "natural" image in ResNet18's input space (BGR, mean subtracted: roughly ±100).</summary>
    internal static FloatTensor SmoothImages(int count, int seed)
    {
        var r = new Random(seed);
        var t = new FloatTensor(count, 3, 224, 224);
        for (int n = 0; n < count; n++)
        for (int c = 0; c < 3; c++)
        {
            double fx = 1 + r.NextDouble() * 4, fy = 1 + r.NextDouble() * 4, phase = r.NextDouble() * 6;
            for (int y = 0; y < 224; y++)
            for (int x = 0; x < 224; x++)
                t[n, c, y, x] = (float)(60 * Math.Sin(fx * x / 224.0 * Math.PI + phase) * Math.Cos(fy * y / 224.0 * Math.PI) + 10 * (r.NextDouble() - 0.5));
        }
        return t;
    }

    /// <remarks>
    /// Measured: along the line x + t·v the ReLU network is piecewise linear with a kink density so high that the
    /// central difference's error falls linearly with the step (1 → 0.05 → 0.01 → 0.002: 5.7, 0.14, 0.023, 0.004 for the
    /// gradient direction) until float32 round-off of the logit (~1e-4 absolute) takes over. So the 1e-3 is not
    /// reachable by float32 finite differences on this network; the test asserts 1e-2 at step 0.005. Each direction is
    /// half random, half along the gradient, so the derivative is not a near-zero sum of cancelling terms.
    /// </remarks>
    [TestMethod]
    public void InputGradient_MatchesFiniteDifferencesAlongRandomDirections()
    {
        var x = SmoothImages(1, 1);
        var target = new ClassTarget(4);
        var g = Engine.Compute(x, target).Gradients[Engine.InputName];
        double norm = Math.Sqrt(g.Data.Sum(v => (double)v * v));
        var r = new Random(2);
        const int directions = 3;
        const float step = 0.005f;
        int size = x.Length;
        var batch = new FloatTensor(2 * directions, 3, 224, 224);
        var analytic = new double[directions];
        for (int k = 0; k < directions; k++)
        {
            for (int i = 0; i < size; i++)
            {
                float v = (float)(0.5 * (r.NextDouble() * 2 - 1) + 0.5 * g.Data[i] / norm * Math.Sqrt(size / 3.0));
                analytic[k] += (double)g.Data[i] * v;
                batch.Data[2 * k * size + i] = x.Data[i] + step * v;
                batch.Data[(2 * k + 1) * size + i] = x.Data[i] - step * v;
            }
        }
        var values = Engine.Evaluate(batch, target).TargetValues;
        for (int k = 0; k < directions; k++)
        {
            double numeric = ((double)values[2 * k] - values[2 * k + 1]) / (2 * step);
            double relative = Math.Abs(numeric - analytic[k]) / Math.Abs(numeric);
            Console.WriteLine($"direction {k}: analytic {analytic[k]:G6} numeric {numeric:G6} relative error {relative:E2}");
            Assert.IsLessThan(1e-2, relative);
        }
    }

    [TestMethod]
    public void BatchedGradients_EqualPerImageGradients()
    {
        var x = SmoothImages(3, 5);
        var target = new ClassTarget([1, 7, 1]);
        var batched = Engine.Compute(x, target);
        for (int n = 0; n < 3; n++)
        {
            var single = Engine.Compute(x.Slice(n), new ClassTarget(target.ClassOf(n)));
            Assert.AreEqual(single.TargetValues[0], batched.TargetValues[n], 1e-4 * Math.Abs(single.TargetValues[0]) + 1e-5);
            var a = single.Gradients[Engine.InputName].Data;
            var b = batched.Gradients[Engine.InputName].Slice(n).Data;
            double err = FiniteDifferences.RelativeError(b, a.Select(v => (double)v).ToArray());
            Assert.IsLessThan(1e-4, err, $"item {n}: {err:E2}");
        }
    }

    [TestMethod]
    public void HeadLogits_AreTheLinearMapOfThePooledFeatures()
    {
        var x = SmoothImages(2, 9);
        var result = Engine.Evaluate(x, new ClassTarget(3), [DefaultModels.ResNet18Embedding]);
        var features = result.Outputs[DefaultModels.ResNet18Embedding];
        var head = RandomHead(10, 512, 3);
        for (int n = 0; n < 2; n++)
        {
            double logit = head.Bias[3];
            for (int f = 0; f < 512; f++) logit += head.Weights[3, f] * features.Data[n * 512 + f];
            Assert.AreEqual(logit, result.TargetValues[n], 1e-4 * Math.Abs(logit) + 1e-4);
        }
    }
}
