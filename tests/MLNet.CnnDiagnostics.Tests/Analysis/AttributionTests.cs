using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class AttributionTests
{
    private static GradientEngine ResNet => ResNet18GradientTests.Engine;

    /// <summary>The activation ResNet18's final AveragePool reads ([N,512,7,7]).</summary>
    private static string LastActivation => DefaultModels.LoadResNet18().Layers.Single(l => l.OpType == "AveragePool").Inputs[0];

    [TestMethod]
    public void GradCam_MatchesTheClosedFormForAveragePoolAndLinearHead()
    {
        // for GAP + linear head, ∂S/∂A_k(i,j) = W[c,k]/(h·w) everywhere, so Grad-CAM = ReLU(Σ_k W[c,k]/(h·w) A_k)
        var x = ResNet18GradientTests.SmoothImages(2, 21);
        var target = new ClassTarget([2, 6]);
        string layer = LastActivation;
        var maps = new GradCam(ResNet, layer).Attribute(x, target);
        var a = ResNet.Evaluate(x, target, [layer]).Outputs[layer];
        var head = ResNet18GradientTests.RandomHead(10, 512, 3);
        int k = a.Shape[1], h = a.Shape[2], w = a.Shape[3];
        for (int n = 0; n < 2; n++)
        for (int p = 0; p < h * w; p++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++) sum += head.Weights[target.ClassOf(n), c] / (h * w) * a.Data[(n * k + c) * h * w + p];
            Assert.AreEqual(Math.Max(0, sum), maps.Data[n * h * w + p], 1e-4 * Math.Abs(sum) + 1e-5);
        }
    }

    [TestMethod]
    public void GradCamPlusPlus_MatchesTheClosedFormForAveragePoolAndLinearHead()
    {
        // GAP + linear head: g_k = ∂S/∂A_k(a,b) = W[c,k]/(h·w) everywhere, so with S_k = Σ_ab A_k(a,b)
        // α = g²/(2g² + S_k·g³) = 1/(2 + S_k·g_k), w_k = Σ_ab α·ReLU(g_k) = h·w·ReLU(g_k)/(2 + S_k·g_k), map = ReLU(Σ_k w_k A_k)
        var x = ResNet18GradientTests.SmoothImages(2, 25);
        var target = new ClassTarget([3, 8]);
        string layer = LastActivation;
        var maps = new GradCamPlusPlus(ResNet, layer).Attribute(x, target);
        var a = ResNet.Evaluate(x, target, [layer]).Outputs[layer];
        var head = ResNet18GradientTests.RandomHead(10, 512, 3);
        int k = a.Shape[1], h = a.Shape[2], w = a.Shape[3], plane = h * w;
        double worst = 0, largestSumTerm = 0;
        for (int n = 0; n < 2; n++)
        {
            var weights = new double[k];
            for (int c = 0; c < k; c++)
            {
                double g = head.Weights[target.ClassOf(n), c] / (double)plane, sum = 0;
                for (int p = 0; p < plane; p++) sum += a.Data[(n * k + c) * plane + p];
                weights[c] = plane * Math.Max(0, g) / (2 + sum * g);
                if (g > 0) largestSumTerm = Math.Max(largestSumTerm, Math.Abs(sum * g));
            }
            for (int p = 0; p < plane; p++)
            {
                double map = 0;
                for (int c = 0; c < k; c++) map += weights[c] * a.Data[(n * k + c) * plane + p];
                map = Math.Max(0, map);
                worst = Math.Max(worst, Math.Abs(map - maps.Data[n * plane + p]) / Math.Max(1e-3, Math.Abs(map)));
                Assert.AreEqual(map, maps.Data[n * plane + p], 1e-4 * Math.Abs(map) + 1e-5, $"image {n} position {p}");
            }
        }
        // the S_k·g_k term is what separates Grad-CAM++ from a scaled Grad-CAM; it must be large enough to be tested
        Console.WriteLine($"largest relative error {worst:E2}; largest |S_k·g_k| {largestSumTerm:F3} (against 2)");
        Assert.IsGreaterThan(0.05, largestSumTerm);
        Assert.IsTrue(maps.Data.Any(v => v > 0), "the map is all zero");
    }

    [TestMethod]
    public void Cam_IsTheClassWeightedSumOfChannels()
    {
        var x = ResNet18GradientTests.SmoothImages(1, 22);
        string layer = LastActivation;
        var map = new Cam(ResNet, layer, DefaultModels.ResNet18Embedding).Attribute(x, new ClassTarget(5));
        var a = ResNet.Evaluate(x, new ClassTarget(5), [layer]).Outputs[layer];
        var head = ResNet18GradientTests.RandomHead(10, 512, 3);
        int plane = a.Shape[2] * a.Shape[3];
        for (int p = 0; p < plane; p++)
        {
            double sum = 0;
            for (int c = 0; c < 512; c++) sum += head.Weights[5, c] * a.Data[c * plane + p];
            Assert.AreEqual(sum, map.Data[p], 1e-4 * Math.Abs(sum) + 1e-5);
        }
    }

    [TestMethod]
    public void IntegratedGradients_AreCompleteWithin5Percent()
    {
        var x = ResNet18GradientTests.SmoothImages(1, 23);
        var target = new ClassTarget(1);
        var ig = new IntegratedGradients(ResNet) { Steps = 48, BatchSize = 16 };
        var attributions = ig.Attribute(x, target);
        var (sum, difference) = ig.Completeness(x, target, attributions)[0];
        Console.WriteLine($"sum {sum:G6}, f(x) - f(baseline) {difference:G6}");
        Assert.IsLessThan(0.05, Math.Abs(sum - difference) / Math.Abs(difference));
    }

    [TestMethod]
    public void SaliencySanityCheck_TrainedVersusReinitialisedWeightsDisagree()
    {
        // Adebayo et al. 2018: a saliency method that reflects the model must change when the weights are re-initialised
        var model = DefaultModels.LoadResNet18();
        var proto = model.Proto.Clone();
        var convWeights = proto.Graph.Node.Where(n => n.OpType == "Conv").Select(n => n.Input[1]).ToHashSet();
        var r = new Random(4);
        for (int i = 0; i < proto.Graph.Initializer.Count; i++)
        {
            var t = proto.Graph.Initializer[i];
            if (!convWeights.Contains(t.Name)) continue;
            var dims = t.Dims.ToArray();
            long fanIn = dims.Skip(1).Aggregate(1L, (p, d) => p * d);
            var data = new float[dims.Aggregate(1L, (p, d) => p * d)];
            for (int j = 0; j < data.Length; j++) data[j] = (float)((r.NextDouble() * 2 - 1) * Math.Sqrt(6.0 / fanIn));
            proto.Graph.Initializer[i] = ConstantTensors.Float(t.Name, data, dims);
        }
        using var random = new GradientEngine(ModelGraph.Load(Google.Protobuf.MessageExtensions.ToByteArray(proto)), ResNet18GradientTests.RandomHead(10, 512, 3));
        var x = ResNet18GradientTests.SmoothImages(1, 24);
        var trained = new Saliency(ResNet).Attribute(x, new ClassTarget(0)).Data;
        var reinitialised = new Saliency(random).Attribute(x, new ClassTarget(0)).Data;
        double rho = Spearman(trained, reinitialised);
        Console.WriteLine($"Spearman {rho:F3}");
        Assert.IsLessThan(0.5, rho);
    }

    [TestMethod]
    public void Saliency_SmoothGradAndOcclusion_OnALinearModel_MatchHandComputedMaps()
    {
        // y = Σ w ⊙ x (a conv whose kernel covers the image): ∂y/∂x = w, and occluding a patch with 0 drops y by Σ_patch w ⊙ x
        var m = new TinyModel([1, 2, 6, 6], seed: 3);
        m.Node("Conv", ["x", m.Weight("w", 1, 2, 6, 6)], "y");
        using var engine = new GradientEngine(m.Build("y"));
        var r = new Random(3);
        var w = Enumerable.Range(0, 72).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var x = FiniteDifferences.RandomInput([2, 2, 6, 6], 8);
        var saliency = new Saliency(engine).Attribute(x, new ClassTarget(0));
        var smooth = new SmoothGrad(engine) { Samples = 5, BatchSize = 4 }.Attribute(x, new ClassTarget(0));
        var occlusion = new Occlusion(engine) { PatchSize = 3, Stride = 2, BatchSize = 3 }.Attribute(x, new ClassTarget(0));
        for (int n = 0; n < 2; n++)
        for (int p = 0; p < 36; p++)
        {
            float expected = Math.Max(Math.Abs(w[p]), Math.Abs(w[36 + p]));
            Assert.AreEqual(expected, saliency.Data[n * 36 + p], 1e-5);
            Assert.AreEqual(expected, smooth.Data[n * 36 + p], 1e-5);
        }
        int[] starts = [0, 2, 4];
        for (int n = 0; n < 2; n++)
        for (int py = 0; py < 6; py++)
        for (int px = 0; px < 6; px++)
        {
            double drop = 0;
            int cover = 0;
            foreach (int sy in starts)
            foreach (int sx in starts)
            {
                if (py < sy || py >= sy + 3 || px < sx || px >= sx + 3) continue;
                cover++;
                for (int c = 0; c < 2; c++)
                for (int y = sy; y < Math.Min(6, sy + 3); y++)
                for (int xx = sx; xx < Math.Min(6, sx + 3); xx++)
                    drop += w[(c * 6 + y) * 6 + xx] * x.Data[((n * 2 + c) * 6 + y) * 6 + xx];
            }
            Assert.AreEqual(drop / cover, occlusion.Data[(n * 6 + py) * 6 + px], 1e-4);
        }
    }

    internal static double Spearman(float[] a, float[] b)
    {
        double[] Ranks(float[] v)
        {
            var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
            var ranks = new double[v.Length];
            for (int i = 0; i < order.Length; i++) ranks[order[i]] = i;
            return ranks;
        }
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), num = 0, da = 0, db = 0;
        for (int i = 0; i < ra.Length; i++) { num += (ra[i] - ma) * (rb[i] - mb); da += (ra[i] - ma) * (ra[i] - ma); db += (rb[i] - mb) * (rb[i] - mb); }
        return num / Math.Sqrt(da * db);
    }
}
