using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Selection;

namespace MLNet.CnnDiagnostics.Tests.Zoo;

/// <summary>
/// Every architecture of the zoo, at opsets 11 and 17: layers and receptive fields, layer choices, input gradients
/// against PyTorch's float64 autograd, and every attribution method.
/// </summary>
[TestClass]
public sealed class ZooModelTests
{
    public static IEnumerable<object[]> Files => Zoo.Files;

    [TestMethod]
    [DynamicData(nameof(Files))]
    public void LayersFieldsAndLayerChoices(string file)
    {
        var graph = Zoo.Load(file).AsPlanar();
        Assert.IsGreaterThan(5, graph.Layers.Count, file);
        Assert.AreEqual(ImageLayout.Planar, graph.ImageLayout);
        var fields = ReceptiveFieldCalculator.Compute(graph);
        var choice = LayerSelector.Select(graph);
        Assert.IsNotNull(choice.Cam, $"{file}: {string.Join("; ", choice.Notes)}");
        Assert.IsNotEmpty(choice.Investigation, $"{file}: {string.Join("; ", choice.Notes)}");
        // the chosen layers are spatial maps with a receptive field; the investigated one covers at most half the image
        var (_, h, w) = graph.ImageSize;
        foreach (var c in choice.Investigation.Append(choice.Cam!))
        {
            Assert.IsTrue(fields.TryGet(c.Tensor, out _), $"{file}: {c.Tensor} has no field");
            var (fh, fw) = fields.SpatialSize(c.Tensor);
            Assert.IsGreaterThan(1, fh * fw, $"{file}: {c.Tensor} is {fh}×{fw}");
        }
        var first = fields[choice.Investigation[0].Tensor];
        Assert.IsLessThanOrEqualTo(Math.Max(h, w) / 2.0, (double)Math.Max(first.Y.Size, first.X.Size), $"{file}: {choice.Investigation[0]}");
        // the CAM layer lies after every investigated layer, and the logits are the pre-softmax scores
        var order = graph.Layers.SelectMany(l => l.Outputs).Select((t, i) => (t, i)).GroupBy(p => p.t).ToDictionary(g => g.Key, g => g.First().i);
        Assert.IsGreaterThanOrEqualTo(order[choice.Investigation[0].Tensor], order[choice.Cam!.Tensor], file);
        if (Zoo.ModelName(file) == "softmax_cnn") Assert.AreNotEqual(graph.Outputs[0].Name, choice.Logits.Tensor);
    }

    [TestMethod]
    [DynamicData(nameof(Files))]
    public void InputGradientEqualsPyTorchFloat64(string file)
    {
        string name = Zoo.ModelName(file);
        var original = Zoo.Load(file);
        var graph = original.AsPlanar();
        var (input, inputShape) = Zoo.Npy($"{name}.input.npy");
        var (logits, _) = Zoo.Npy($"{name}.logits.npy");
        var (grad, _) = Zoo.Npy($"{name}.grad3.npy");
        bool channelsLast = original.ImageLayout == ImageLayout.ChannelsLast;
        if (channelsLast)
        {
            input = Zoo.ToPlanar(input, inputShape);
            grad = Zoo.ToPlanar(grad, inputShape);
            inputShape = [inputShape[0], inputShape[3], inputShape[1], inputShape[2]];
        }
        var x = new FloatTensor(inputShape, input.Select(v => (float)v).ToArray());
        using var engine = new GradientEngine(graph);
        // the references differentiate the model's output (for softmax_cnn: the probabilities)
        var result = engine.Compute(x, new ClassTarget(3, engine.Builder.ModelOutput), extraOutputs: [engine.Builder.ModelOutput]);
        var outputs = result.Outputs[engine.Builder.ModelOutput];
        double logitError = RelativeL2(outputs.Data, logits);
        double gradError = RelativeL2(result.Gradients[engine.InputName].Data, grad);
        Console.WriteLine($"{file}: output rel. error {logitError:E2}, gradient rel. error {gradError:E2}");
        Assert.IsLessThan(1e-4, logitError, $"{file}: outputs differ from PyTorch float64 by {logitError:E2}");
        Assert.IsLessThan(1e-4, gradError, $"{file}: input gradient differs from PyTorch float64 autograd by {gradError:E2}");
    }

    [TestMethod]
    [DynamicData(nameof(Files))]
    public void EveryAttributionMethodGivesFiniteMaps(string file)
    {
        var graph = Zoo.Load(file).AsPlanar();
        var choice = LayerSelector.Select(graph);
        using var engine = new GradientEngine(graph);
        var (c, h, w) = graph.ImageSize;
        var x = new FloatTensor([2, c, h, w]);
        var rng = new Random(5);
        for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        var target = new ClassTarget([1, 7]);
        AttributionMethod[] methods =
        [
            new Saliency(engine), new SmoothGrad(engine) { Samples = 4 }, new IntegratedGradients(engine) { Steps = 8 },
            new GuidedBackprop(engine), new GradCam(engine, choice.Cam!.Tensor), new GradCamPlusPlus(engine, choice.Cam!.Tensor),
            new Occlusion(engine) { PatchSize = Math.Max(4, h / 4), Stride = Math.Max(2, h / 4) },
        ];
        foreach (var method in methods)
        {
            var map = method.Attribute(x, target);
            Assert.AreEqual(2, map.Shape[0], $"{file} {method.GetType().Name}");
            Assert.IsTrue(map.Data.All(float.IsFinite), $"{file} {method.GetType().Name}: non-finite values");
            Assert.IsTrue(map.Data.Any(v => v != 0), $"{file} {method.GetType().Name}: an all-zero map");
        }
    }

    private static double RelativeL2(float[] actual, double[] expected)
    {
        Assert.HasCount(expected.Length, actual);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff / Math.Max(norm, 1e-300));
    }
}
