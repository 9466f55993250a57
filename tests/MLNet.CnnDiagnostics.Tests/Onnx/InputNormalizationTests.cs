using Google.Protobuf;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

[TestClass]
public sealed class InputNormalizationTests
{
    private static FloatTensor RawPixels(int n, int c, int h, int w, int seed)
    {
        var rng = new Random(seed);
        return new FloatTensor([n, c, h, w], Enumerable.Range(0, n * c * h * w).Select(_ => (float)rng.Next(256)).ToArray());
    }

    [TestMethod]
    public void NormalizedGraph_OnRawPixels_EqualsOriginalGraph_OnHandNormalizedInput()
    {
        var original = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small");
        float[] mean = [0.485f, 0.456f], std = [0.229f, 0.224f];
        var normalized = original.WithInputNormalization(mean, std, 255f);
        Assert.AreEqual(original.ImageInput.Name, normalized.ImageInput.Name, "the input keeps its name");
        CollectionAssert.AreEqual(original.ImageInput.Shape, normalized.ImageInput.Shape);

        var raw = RawPixels(2, 2, 8, 8, seed: 5);
        var byHand = new FloatTensor(raw.Shape, new float[raw.Length]);
        for (int i = 0; i < raw.Length; i++)
        {
            int c = i / 64 % 2;
            byHand.Data[i] = (float)((raw.Data[i] / 255.0 - mean[c]) / std[c]);
        }
        using var a = new OnnxExecutor(original);
        using var b = new OnnxExecutor(normalized);
        var expected = a.Run(byHand)["logits"];
        var actual = b.Run(raw)["logits"];
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected.Data[i], actual.Data[i], 1e-4 * (1 + Math.Abs(expected.Data[i])), $"logit {i}");
    }

    [TestMethod]
    public void NormalizedTensor_IsPixelOverScaleMinusMeanOverStd_PerChannel()
    {
        var original = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small");
        var normalized = original.WithInputNormalization([0.5f, 0.25f], [0.5f, 2f], 255f);
        var conv = normalized.GetLayer("conv1");
        string fed = conv.Inputs[0];
        Assert.AreNotEqual("x", fed, "the first convolution now reads the normalised tensor");
        var raw = RawPixels(1, 2, 8, 8, seed: 9);
        using var exec = new OnnxExecutor(normalized.WithOutputs([fed]));
        var seen = exec.Run(raw)[fed];
        // channel 0: (v/255 - 0.5)/0.5; channel 1: (v/255 - 0.25)/2
        Assert.AreEqual((raw.Data[0] / 255.0 - 0.5) / 0.5, seen.Data[0], 1e-5);
        Assert.AreEqual((raw.Data[64] / 255.0 - 0.25) / 2, seen.Data[64], 1e-5);
        for (int i = 0; i < raw.Length; i++)
            Assert.AreEqual((raw.Data[i] / 255.0 - (i < 64 ? 0.5 : 0.25)) / (i < 64 ? 0.5 : 2), seen.Data[i], 1e-5, $"value {i}");
    }

    [TestMethod]
    public void OneValue_AppliesToEveryChannel_AndWrongCounts_NameTheChannels()
    {
        var original = ModelGraph.Load(TinyModels.SmallCnn().ToByteArray(), "small");
        var raw = RawPixels(1, 2, 8, 8, seed: 3);
        using var one = new OnnxExecutor(original.WithInputNormalization([0.5f], [0.25f]));
        using var two = new OnnxExecutor(original.WithInputNormalization([0.5f, 0.5f], [0.25f, 0.25f]));
        CollectionAssert.AreEqual(two.Run(raw)["logits"].Data, one.Run(raw)["logits"].Data);
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => original.WithInputNormalization([0.1f, 0.2f, 0.3f], [1f]));
        StringAssert.Contains(e.Message, "2 channel");
        Assert.ThrowsExactly<CnnDiagnosticsException>(() => original.WithInputNormalization([0f], [0f]));
    }
}
