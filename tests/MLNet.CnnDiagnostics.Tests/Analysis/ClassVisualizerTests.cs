using Google.Protobuf;
using MLNet.CnnDiagnostics.Analysis.ClassVisualization;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Tests.Gradients;
using MLNet.CnnDiagnostics.Tests.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Analysis;

[TestClass]
public sealed class ClassVisualizerTests
{
    /// <summary>The score of each target at mid-grey: where the ascent starts (up to its ±5% noise).</summary>
    private static float[] AtGrey(GradientEngine engine, GradientTarget target, int count, float greyInput)
    {
        var shape = engine.Builder.ItemShape(engine.InputName);
        var x = new FloatTensor([count, .. shape]);
        Array.Fill(x.Data, greyInput);
        return engine.Evaluate(x, target).TargetValues;
    }

    [TestMethod]
    public void Ascent_OnResNet18_RaisesTwoClassScoresBySeveralLogits_AndStaysFinite()
    {
        var engine = ResNet18GradientTests.Engine;
        var target = new ClassTarget([3, 8]);
        // the raw ResNet18 takes BGR minus a mean image (roughly pixel − 114): mean 114, std 1, pixels 0..255
        var options = new ClassVisualizationOptions { Steps = 40, PixelMean = [114f], PixelStd = [1f], PixelMaxValue = 255f, Jitter = 4 };
        var before = AtGrey(engine, target, 2, 127.5f - 114f);
        int reports = 0;
        var (images, after) = new ClassVisualizer(engine).Visualize(target, 2, options, new SynchronousProgress(() => reports++));
        Measured.Print($"ResNet18 (random head) class visualization: {before[0]:F3} → {after[0]:F3}, {before[1]:F3} → {after[1]:F3}");
        Assert.AreEqual(40, reports);
        Assert.IsTrue(images.Data.All(float.IsFinite));
        Assert.IsTrue(images.Data.All(v => v >= -114f - 1e-3f && v <= 141f + 1e-3f), "every pixel stays a valid 0..255 pixel");
        for (int n = 0; n < 2; n++)
            Assert.IsGreaterThan(before[n] + 3, after[n], $"item {n}: the class score rises by several logits");
    }

    private static GradientEngine Grayscale(bool folded) =>
        new(ModelGraph.Load(TinyModels.GrayscaleCnn(2, folded ? 1f / 127.5f : 1f, folded ? -1f : 0f).ToByteArray(), "grayscale cnn"));

    /// <summary>
    /// The same grayscale CNN taken two ways: with its normalisation folded into the graph (inputs 0..255, as `cnndiag report
    /// --mean 0.5 --std 0.5` makes it) and taking [−1, 1] inputs (as ML.NET's ExtractPixels(offsetImage: 127.5, scaleImage: 1/127.5)
    /// feeds it, described by pixel mean 127.5 and std 127.5). Both compute the same function of the image, so an ascent in
    /// image units must follow the same path: the same images and scores, and every class score rising.
    /// </summary>
    [TestMethod]
    [DataRow(ClassVisualizationParameterization.Pixels)]
    [DataRow(ClassVisualizationParameterization.Lucid)]
    public void Ascent_InImageUnits_IsTheSameWhetherTheNormalisationIsFoldedOrInThePixels(ClassVisualizationParameterization parameterization)
    {
        using var folded = Grayscale(folded: true);
        using var scaled = Grayscale(folded: false);
        var target = new ClassTarget([0, 1, 2]);
        var common = new ClassVisualizationOptions { Steps = 60, Jitter = 1, BlurSigma = 0.5f * 28 / 224, Parameterization = parameterization, LearningRate = parameterization == ClassVisualizationParameterization.Lucid ? 0.05f : 0.02f };
        var (foldedImages, foldedScores) = new ClassVisualizer(folded).Visualize(target, 3, common with { PixelMaxValue = 255f });
        var (scaledImages, scaledScores) = new ClassVisualizer(scaled).Visualize(target, 3, common with { PixelMean = [127.5f], PixelStd = [127.5f], PixelMaxValue = 255f });
        var before = AtGrey(folded, target, 3, 127.5f);
        Measured.Print($"grayscale CNN, {parameterization}: folded {string.Join(", ", before.Select((b, i) => $"{b:F2} → {foldedScores[i]:F2}"))}; in the pixels {string.Join(", ", scaledScores.Select(v => v.ToString("F2")))}");
        for (int i = 0; i < 3; i++)
        {
            // random weights bound the logits over valid images: measured +1.5 to +7.5; a trained CNN rises far more (see the report tests)
            Assert.IsGreaterThan(before[i] + 1, foldedScores[i], $"class {i}: the score rises");
            Assert.AreEqual(foldedScores[i], scaledScores[i], 1e-2 * Math.Abs(foldedScores[i]), $"class {i}: the same ascent in image units");
        }
        // the same images: folded inputs are pixels 0..255, the others (pixel − 127.5)/127.5
        double worst = 0;
        for (int i = 0; i < foldedImages.Length; i++) worst = Math.Max(worst, Math.Abs(foldedImages.Data[i] - (scaledImages.Data[i] * 127.5 + 127.5)));
        Assert.IsLessThan(2.0, worst, "the two ascents make the same image (to 2 grey levels)");
    }

    [TestMethod]
    public void ModelUnits_MapImageUnitsToTheModelsInput_AndRejectAMismatchedChannelCount()
    {
        var (scale, offset) = ClassVisualizer.ModelUnits(new ClassVisualizationOptions { PixelMean = [0.485f * 255, 0.456f * 255, 0.406f * 255], PixelStd = [0.229f * 255, 0.224f * 255, 0.225f * 255], PixelMaxValue = 255f }, 3);
        // u = 1 (white) on channel 0 is (255 − 123.675)/58.395 = 2.2489
        Assert.AreEqual(2.2489, scale[0] + offset[0], 1e-4);
        Assert.AreEqual(-0.485 / 0.229, offset[0], 1e-5, "u = 0 (black) is −mean/std");
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => ClassVisualizer.ModelUnits(new ClassVisualizationOptions { PixelMean = [1f, 2f] }, 3));
        StringAssert.Contains(e.Message, "PixelMean has 2 values; the model takes 3 channel(s)");
    }

    private sealed class SynchronousProgress(Action onReport) : IProgress<ClassVisualizationProgress>
    {
        public void Report(ClassVisualizationProgress value) => onReport();
    }
}
