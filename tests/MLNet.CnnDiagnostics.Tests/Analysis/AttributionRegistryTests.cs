using Microsoft.ML;
using MLNet.CnnDiagnostics.Analysis.Attribution;
using MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.MLNet;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class AttributionRegistryTests
{
    /// <summary>conv 3→4 (3×3, pad 1) → ReLU → 2×2 max pool "a" [4,4,4] → global average pool → flatten "features" → Gemm → "logits" [3].</summary>
    private static byte[] TinyCnn()
    {
        var m = new TinyModel([1, 3, 8, 8], seed: 5);
        m.Node("Conv", ["x", m.Weight("w", 4, 3, 3, 3), m.Weight("b", 4)], "c", Is("kernel_shape", 3, 3), Is("pads", 1, 1, 1, 1));
        m.Node("Relu", ["c"], "r");
        m.Node("MaxPool", ["r"], "a", Is("kernel_shape", 2, 2), Is("strides", 2, 2));
        m.Node("GlobalAveragePool", ["a"], "g");
        m.Node("Flatten", ["g"], "features", I("axis", 1));
        m.Node("Gemm", ["features", m.Weight("fc_w", 3, 4), m.Weight("fc_b", 3)], "logits", I("transB", 1));
        return m.Build("logits");
    }

    [TestMethod]
    public void Registry_ListsEveryMethodUnderItsNameInTheCliOrder_AndResolvesAliases()
    {
        string[] library = ["gradcam", "saliency", "smoothgrad", "ig", "occlusion", "gradcam++", "cam", "guided-backprop"];
        CollectionAssert.AreEqual(library, AttributionRegistry.Names.Where(library.Contains).ToArray());
        CollectionAssert.AreEqual(new[] { "gradcam", "saliency", "smoothgrad", "ig", "occlusion" }, AttributionRegistry.ReportDefaults.Select(m => m.Name).ToArray(),
            "the report keeps its five default methods");
        Assert.AreEqual("ig", AttributionRegistry.Get("integrated-gradients").Name);
        Assert.AreEqual("gradcam", AttributionRegistry.Get("GradCAM").Name, "names are case-insensitive");
        Assert.AreEqual("guided-backprop", AttributionRegistry.Get("guided").Name);
        Assert.AreEqual("integrated gradients", AttributionRegistry.Get("ig").DisplayName);
    }

    [TestMethod]
    public void Get_UnknownName_NamesTheClosestAndEveryValidMethod()
    {
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => AttributionRegistry.Get("gradcan"));
        StringAssert.Contains(e.Message, "'gradcan'");
        StringAssert.Contains(e.Message, "closest: gradcam");
        StringAssert.Contains(e.Message, "valid: gradcam, saliency, smoothgrad, ig, occlusion, gradcam++, cam, guided-backprop");
    }

    [TestMethod]
    public void AppendVisualization_WithAnUnknownAttributionMethod_FailsAtOnceNamingTheValidOnes()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() =>
            ml.Transforms.Conversion.MapValueToKey("Label").AppendVisualization(o => o.AttributionMethods = ["ig", "lime"]));
        StringAssert.Contains(e.Message, "'lime' is not registered");
        StringAssert.Contains(e.Message, "valid: gradcam, saliency");
    }

    [TestMethod]
    public void Register_AddsAMethod_AndRefusesATakenNameOrAlias()
    {
        var mine = new AttributionDescriptor
        {
            Name = "test-saliency-copy", DisplayName = "copy", Summary = "test", Pass = AttributionPass.InputGradient, Create = s => new Saliency(s.Engine),
        };
        AttributionRegistry.Register(mine);
        Assert.AreSame(mine, AttributionRegistry.Find("TEST-saliency-copy"));
        Assert.IsFalse(AttributionRegistry.ReportDefaults.Contains(mine), "not in the report unless asked for");
        var taken = new AttributionDescriptor { Name = "other", Aliases = ["IG"], DisplayName = "x", Summary = "x", Pass = AttributionPass.Forward, Create = s => new Saliency(s.Engine) };
        var e = Assert.ThrowsExactly<ArgumentException>(() => AttributionRegistry.Register(taken));
        StringAssert.Contains(e.Message, "'IG' is taken by 'ig'");
        Assert.IsNull(AttributionRegistry.Find("other"));
    }

    [TestMethod]
    public void EveryMethodClassOfTheLibrary_IsRegistered_AndExplainsATinyCnnAtImageSize()
    {
        using var engine = new GradientEngine(TinyCnn());
        var x = FiniteDifferences.RandomInput([2, 3, 8, 8], 7);
        var target = new ClassTarget([0, 2]);
        var setup = new AttributionSetup { Engine = engine, ImageHeight = 8, ImageWidth = 8, Layer = "a", PooledFeatures = "features", BatchSize = 4, Budget = AttributionBudget.Quick };
        var built = new HashSet<Type>();
        foreach (var descriptor in AttributionRegistry.Methods.Where(d => !d.Name.StartsWith("test-", StringComparison.Ordinal)))
        {
            var method = descriptor.Create(setup);
            built.Add(method.GetType());
            Assert.AreEqual(4, method.BatchSize, $"{descriptor.Name} takes the setup's batch size");
            var map = method.Explain(x, target);
            Assert.AreEqual(2, map.Count, descriptor.Name);
            for (int i = 0; i < 2; i++)
            {
                var image = map.ImageMap(i);
                CollectionAssert.AreEqual(new[] { 8, 8 }, image.Shape, descriptor.Name);
                Assert.IsTrue(image.Data.All(float.IsFinite), descriptor.Name);
            }
            Assert.AreEqual(descriptor.Needs.HasFlag(AttributionNeeds.SpatialLayer) ? 4 : 8, map.Height, $"{descriptor.Name}: maps at the layer's or the image's resolution");
            Assert.HasCount(2, PixelOrder.ByAttribution(map));
        }
        var library = typeof(AttributionMethod).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(AttributionMethod)) && !t.IsAbstract).ToList();
        Assert.IsGreaterThanOrEqualTo(8, library.Count, "the library's eight methods at least");
        foreach (var type in library) Assert.Contains(type, built, $"{type.Name} has no registry entry: add a static AttributionDescriptor to its file");
    }

    [TestMethod]
    public void Setup_WithoutTheLayerAMethodNeeds_SaysWhichMethodNeedsWhat()
    {
        using var engine = new GradientEngine(TinyCnn());
        var setup = new AttributionSetup { Engine = engine, ImageHeight = 8, ImageWidth = 8 };
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => AttributionRegistry.Get("gradcam++").Create(setup));
        StringAssert.Contains(e.Message, "'gradcam++' needs a spatial layer");
        e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => AttributionRegistry.Get("cam").Create(new AttributionSetup { Engine = engine, ImageHeight = 8, ImageWidth = 8, Layer = "a" }));
        StringAssert.Contains(e.Message, "'cam' needs the pooled features");
    }

    [TestMethod]
    public void ChannelReductions_MatchHandComputedValues()
    {
        // one image, two channels, two pixels: channel 0 = (1, −3), channel 1 = (−2, 2)
        var maps = new FloatTensor([1, 2, 1, 2], [1, -3, -2, 2]);
        CollectionAssert.AreEqual(new[] { 2f, 3f }, ChannelReduction.MaxAbs.Reduce(maps).Data);
        CollectionAssert.AreEqual(new[] { 3f, 5f }, ChannelReduction.SumAbs.Reduce(maps).Data);
        CollectionAssert.AreEqual(new[] { -1f, -1f }, ChannelReduction.Sum.Reduce(maps).Data);
        CollectionAssert.AreEqual(new[] { 1, 1, 2 }, ChannelReduction.Sum.Reduce(maps).Shape);
        Assert.AreSame(ChannelReduction.SumAbs, ChannelReduction.Parse("SUM-ABS"));
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ChannelReduction.Parse("mean"));
        StringAssert.Contains(e.Message, "valid: max-abs, sum-abs, sum");
        var map = new AttributionMap(maps, 1, 2, ChannelReduction.Sum, signed: true);
        Assert.AreEqual(2, map.Channels);
        CollectionAssert.AreEqual(new[] { -1f, -1f }, map.ImageMap(0).Data);
    }

    [TestMethod]
    public void AttributionMap_UpsamplesACoarseMapAtPixelCentres()
    {
        // a 1×2 map (0, 1) on a 1×4 image: centres sample the map at x = −0.25, 0.25, 0.75, 1.25 (clamped at the edges)
        var coarse = new FloatTensor([1, 1, 2], [0, 1]);
        var bilinear = new AttributionMap(coarse, 1, 4, ChannelReduction.MaxAbs, signed: false);
        CollectionAssert.AreEqual(new[] { 0f, 0.25f, 0.75f, 1f }, bilinear.ImageMap(0).Data);
        var nearest = new AttributionMap(coarse, 1, 4, ChannelReduction.MaxAbs, signed: false, AttributionUpsampling.NearestNeighbour);
        CollectionAssert.AreEqual(new[] { 0f, 0f, 1f, 1f }, nearest.ImageMap(0).Data);
        Assert.AreEqual(2, bilinear.Width);
        Assert.AreEqual(4, bilinear.ImageWidth);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => new AttributionMap(coarse, 1, 1, ChannelReduction.Sum, signed: true));
        StringAssert.Contains(e.Message, "larger than the 1×1 images");
    }

    [TestMethod]
    public void IntegratedGradients_ConvergenceDelta_IsTheSumMinusTheModelsOutputDifference()
    {
        // f(x) and f(0) from a plain forward run of the model (no gradient engine), one image at a time
        var model = TinyCnn();
        using var engine = new GradientEngine(model);
        using var forward = new OnnxExecutor(ModelGraph.Load(model, "tiny"));
        var x = FiniteDifferences.RandomInput([2, 3, 8, 8], 9);
        int[] classes = [1, 2];
        var ig = new IntegratedGradients(engine) { Steps = 64, BatchSize = 16 };
        var attributions = ig.Attribute(x, new ClassTarget(classes));
        var delta = ig.ConvergenceDelta(x, new ClassTarget(classes), attributions);
        Assert.IsTrue(ig.HasCompleteness);
        for (int n = 0; n < 2; n++)
        {
            float fx = forward.Run(x.Slice(n))["logits"].Data[classes[n]];
            float f0 = forward.Run(new FloatTensor(1, 3, 8, 8))["logits"].Data[classes[n]];
            double sum = attributions.Slice(n).Data.Sum(v => (double)v);
            Console.WriteLine($"image {n}: sum {sum:G6}, f(x) - f(0) {fx - f0:G6}, delta {delta[n]:G4}");
            Assert.AreEqual(sum - (fx - f0), delta[n], 1e-4 * Math.Abs(fx - f0) + 1e-5);
            Assert.IsLessThan(0.02 * Math.Abs(fx - f0), Math.Abs(delta[n]), "64 path points make integrated gradients nearly complete");
        }
    }

    [TestMethod]
    public void IntegratedGradients_OnALinearModel_AreCompleteWithOneStep()
    {
        // y = Σ w ⊙ x + b: the path gradient is w everywhere, so IG = x ⊙ w and Σ IG = f(x) − f(0) exactly
        var m = new TinyModel([1, 2, 4, 4], seed: 4);
        m.Node("Conv", ["x", m.Weight("w", 1, 2, 4, 4), m.Weight("b", 1)], "y");
        using var engine = new GradientEngine(m.Build("y"));
        var x = FiniteDifferences.RandomInput([3, 2, 4, 4], 2);
        var ig = new IntegratedGradients(engine) { Steps = 1 };
        var delta = ig.ConvergenceDelta(x, new ClassTarget(0), ig.Attribute(x, new ClassTarget(0)));
        foreach (var d in delta) Assert.AreEqual(0, d, 1e-5);
    }

    [TestMethod]
    public void ConvergenceDelta_OfAMethodWithoutCompleteness_IsRefused()
    {
        using var engine = new GradientEngine(TinyCnn());
        var x = FiniteDifferences.RandomInput([1, 3, 8, 8], 3);
        foreach (var method in new AttributionMethod[] { new Saliency(engine), new GradCam(engine, "a"), new Occlusion(engine) })
        {
            Assert.IsFalse(method.HasCompleteness, method.GetType().Name);
            var e = Assert.ThrowsExactly<NotSupportedException>(() => method.ConvergenceDelta(x, new ClassTarget(0), new FloatTensor(x.Shape)));
            StringAssert.Contains(e.Message, "no completeness axiom");
        }
    }
}
