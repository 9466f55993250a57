using Google.Protobuf;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;
using MLNet.CnnDiagnostics.Tests.Gradients;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class GradientCheckTests
{
    /// <summary>MNIST digits [n,1,28,28] as 0..255 pixels.</summary>
    internal static FloatTensor Digits28(int count, int first = 0)
    {
        var t = new FloatTensor(count, 1, 28, 28);
        for (int n = 0; n < count; n++)
            for (int i = 0; i < 784; i++) t.Data[n * 784 + i] = MnistFixture.Images[first + n][i];
        return t;
    }

    private static FloatTensor Scaled(FloatTensor t, float scale, float shift)
    {
        var r = t.Clone();
        for (int i = 0; i < r.Length; i++) r.Data[i] = r.Data[i] * scale + shift;
        return r;
    }

    private static (ModelGraph Graph, GradientEngine Engine) Grayscale(bool folded)
    {
        var graph = ModelGraph.Load(TinyModels.GrayscaleCnn(1, folded ? 1f / 127.5f : 1f, folded ? -1f : 0f).ToByteArray(), "grayscale cnn");
        return (graph, new GradientEngine(graph));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TrueGradient_OfAGrayscaleCnn_PassesWellBelowTheThreshold(bool folded)
    {
        var (graph, engine) = Grayscale(folded);
        using var _ = engine;
        var x = folded ? Digits28(4) : Scaled(Digits28(4), 1f / 127.5f, -1f);
        var predicted = engine.Evaluate(x, new ClassTarget(0)).TargetValues;
        using var check = new GradientCheck(engine);
        var result = check.Measure(x, new ClassTarget([0, 3, 5, 7]));
        Measured.Print($"grayscale folded={folded}\n" + string.Join("\n", result.Items));
        Assert.IsTrue(result.Passed, $"reading {result.RelativeError:E2}");
        Assert.IsLessThan(1e-4, result.RelativeError);
    }

    [TestMethod]
    public void TrueGradient_OfResNet18_TrainedAndReinitialised_Passes()
    {
        var x = ResNet18Fixture.Digits(2);
        using var trainedCheck = new GradientCheck(ResNet18GradientTests.Engine);
        var trained = trainedCheck.Measure(x, new ClassTarget([1, 2]));
        Measured.Print("trained\n" + string.Join("\n", trained.Items));
        var random = ResNet18Fixture.Model.WithReinitializedConvolutions(1);
        using var randomEngine = new GradientEngine(random, ResNet18GradientTests.RandomHead(10, 512, 3));
        using var randomCheck = new GradientCheck(randomEngine);
        var reinitialised = randomCheck.Measure(x, new ClassTarget([1, 2]));
        Measured.Print("reinitialised\n" + string.Join("\n", reinitialised.Items));
        Assert.IsTrue(trained.Passed, $"trained: {trained.RelativeError:E2}");
        Assert.IsTrue(reinitialised.Passed, $"re-initialised: {reinitialised.RelativeError:E2}");
    }

    /// <summary>
    /// The backward graph with the ReLU rule broken: every ReLU's Where(mask, gradient, 0) replaced by the gradient itself
    /// (ReLU differentiated as the identity), a classic bug; run by ONNX Runtime like the real one. The rule's mask compares
    /// the ReLU's output with zero (its input before the rule read the output, so either is recognised).
    /// </summary>
    private static Func<FloatTensor, GradientTarget, FloatTensor> BrokenReluGradient(GradientEngine engine, List<OnnxExecutor> sessions)
    {
        var built = engine.GraphFor(null, [engine.InputName]);
        var proto = built.ToModelGraph().Proto.Clone();
        var reluTensors = proto.Graph.Node.Where(n => n.OpType == "Relu").SelectMany(n => new[] { n.Input[0], n.Output[0] }).ToHashSet();
        var masks = proto.Graph.Node.Where(n => n.OpType == "Greater" && reluTensors.Contains(n.Input[0])).Select(n => n.Output[0]).ToHashSet();
        int broken = 0;
        foreach (var where in proto.Graph.Node.Where(n => n.OpType == "Where" && masks.Contains(n.Input[0])).ToList())
        {
            string gradient = where.Input[1];
            where.OpType = "Identity";
            where.Input.Clear();
            where.Input.Add(gradient);
            broken++;
        }
        // on maps whose channels ONNX Runtime keeps blocked the rule multiplies by a Clip(Conv(output)) mask instead (BlockedLayoutMask)
        var convOfRelu = proto.Graph.Node.Where(n => n.OpType == "Conv" && reluTensors.Contains(n.Input[0])).Select(n => n.Output[0]).ToHashSet();
        var clipMasks = proto.Graph.Node.Where(n => n.OpType == "Clip" && convOfRelu.Contains(n.Input[0])).Select(n => n.Output[0]).ToHashSet();
        foreach (var mul in proto.Graph.Node.Where(n => n.OpType == "Mul" && n.Input.Count == 2 && n.Input.Any(clipMasks.Contains)).ToList())
        {
            string gradient = clipMasks.Contains(mul.Input[0]) ? mul.Input[1] : mul.Input[0];
            mul.OpType = "Identity";
            mul.Input.Clear();
            mul.Input.Add(gradient);
            broken++;
        }
        Assert.IsGreaterThan(0, broken, "the ReLU rule's Where nodes were found");
        var session = new OnnxExecutor(ModelGraph.Load(proto.ToByteArray(), "broken backward graph"));
        sessions.Add(session);
        string output = built.GradientOutputs[engine.InputName];
        return (x, target) =>
        {
            var items = Enumerable.Range(0, x.Shape[0]).Select(i => session.Run(new Dictionary<string, FloatTensor>
            {
                [engine.InputName] = x.Slice(i),
                [BackwardGraph.SeedName] = target.Repeat(i, 1).Seed([1, .. built.TargetItemShape]),
            }, [output])[output]).ToList();
            return FloatTensor.Stack(items);
        };
    }

    [TestMethod]
    public void BrokenReluRule_ReadsAboveOneTenth_WhileTheTrueGradientPasses()
    {
        var (_, engine) = Grayscale(folded: true);
        using var _ = engine;
        var sessions = new List<OnnxExecutor>();
        try
        {
            var x = Digits28(4);
            var target = new ClassTarget([0, 3, 5, 7]);
            using var check = new GradientCheck(engine);
            var broken = check.Measure(x, target, BrokenReluGradient(engine, sessions));
            var right = check.Measure(x, target);
            Measured.Print($"broken ReLU rule: {broken.RelativeError:E2} (items {string.Join(", ", broken.Items.Select(i => i.RelativeError.ToString("E2")))}); right: {right.RelativeError:E2}");
            Assert.IsGreaterThan(0.1, broken.Items.Min(i => i.RelativeError), "every item exposes the broken rule");
            Assert.IsFalse(broken.Passed);
            Assert.IsTrue(right.Passed);
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
    }

    [TestMethod]
    public void BrokenReluRule_OnResNet18_ReadsAboveOneTenth()
    {
        var engine = ResNet18GradientTests.Engine;
        var sessions = new List<OnnxExecutor>();
        try
        {
            using var check = new GradientCheck(engine);
            var broken = check.Measure(ResNet18Fixture.Digits(1), new ClassTarget(4), BrokenReluGradient(engine, sessions));
            Measured.Print($"ResNet18 broken ReLU rule: {broken.RelativeError:E2}");
            Assert.IsGreaterThan(0.1, broken.RelativeError);
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
    }
}
