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

    private static readonly Lazy<DoubleResNet> Reference = new(() => new DoubleResNet(DefaultModels.LoadResNet18(), RandomHead(10, 512, 3)));

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    /// <summary>Measured: features 4.4e-7 and the class-4 logit 2.8e-7 from ONNX Runtime's float32 result.</summary>
    [TestMethod]
    public void DoublePrecisionReference_MatchesOnnxRuntimeForward()
    {
        var x = SmoothImages(1, 1);
        var onnx = Engine.Evaluate(x, new ClassTarget(4), [DefaultModels.ResNet18Embedding]);
        var features = Reference.Value.Forward(ToDouble(x.Data), DefaultModels.ResNet18Embedding);
        Assert.AreEqual(512, features.Data.Length);
        double featureError = FiniteDifferences.RelativeError(onnx.Outputs[DefaultModels.ResNet18Embedding].Data, features.Data);
        double logit = Reference.Value.Logits(ToDouble(x.Data), DefaultModels.ResNet18Embedding)[4];
        double logitError = Math.Abs(onnx.TargetValues[0] - logit) / Math.Abs(logit);
        Console.WriteLine($"features relative error {featureError:E2}, logit {logit:G10} vs {onnx.TargetValues[0]:G8}: {logitError:E2}");
        Assert.IsLessThan(1e-5, featureError);
        Assert.IsLessThan(1e-5, logitError);
    }

    /// <remarks>
    /// The backward graph's float32 input gradient g (ONNX Runtime) against central differences of an independent
    /// double-precision forward pass (<see cref="DoubleResNet"/>), along purely random directions d (uniform in [−1, 1]
    /// per pixel; the inputs are about ±60). ResNet18 is piecewise linear with a very high kink density along a line:
    /// in double, steps of 1e-2, 1e-3 and 1e-4 gave 28%, 18% and 0.4% error on direction 0, and at 1e-5 direction 2
    /// still crossed a ReLU kink on one side (its one-sided differences differed by 5e-4; a pre-activation lies 1.2e-6
    /// from zero). So the step is 1e-6, and each direction checks that its forward and backward one-sided differences
    /// agree: between kinks the network is exactly linear, so they differ only by round-off (measured ≤ 1e-7 relative).
    /// Measured relative errors of g·d: 1.4e-6, 5.6e-7, 6.7e-8, i.e. the float32 error of the ONNX gradient itself
    /// (the float32-only finite differences this test replaces reached only 2.5e-3).
    /// </remarks>
    [TestMethod]
    public void InputGradient_MatchesDoublePrecisionFiniteDifferencesAlongRandomDirections()
    {
        var x = SmoothImages(1, 1);
        const int targetClass = 4;
        const double step = 1e-6;
        var g = Engine.Compute(x, new ClassTarget(targetClass)).Gradients[Engine.InputName].Data;
        var x64 = ToDouble(x.Data);
        double Logit(double[] d, double t) =>
            Reference.Value.Logits(x64.Select((v, i) => v + t * d[i]).ToArray(), DefaultModels.ResNet18Embedding)[targetClass];
        double center = Logit(new double[x64.Length], 0);
        var r = new Random(2);
        for (int k = 0; k < 3; k++)
        {
            var d = new double[x64.Length];
            for (int i = 0; i < d.Length; i++) d[i] = r.NextDouble() * 2 - 1;
            double analytic = 0;
            for (int i = 0; i < d.Length; i++) analytic += g[i] * d[i];
            double plus = Logit(d, step), minus = Logit(d, -step);
            double numeric = (plus - minus) / (2 * step);
            double kink = Math.Abs((plus - center) - (center - minus)) / step / Math.Abs(numeric);
            double relative = Math.Abs(numeric - analytic) / Math.Abs(numeric);
            Console.WriteLine($"direction {k}: analytic {analytic:G9} numeric {numeric:G12} relative error {relative:E2} (one-sided differences differ by {kink:E2})");
            Assert.IsLessThan(1e-5, kink, $"direction {k}: a kink lies within the step");
            Assert.IsLessThan(1e-3, relative, $"direction {k}");
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
