using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>The embedded ResNet18 loaded once for all tests of the run (64 MB, about a second).</summary>
internal static class ResNet18Fixture
{
    private static readonly Lazy<ModelGraph> Graph = new(DefaultModels.LoadResNet18);

    public static ModelGraph Model => Graph.Value;

    /// <summary>MNIST digits as [n,3,224,224] in the 0..255 range (nearest-neighbour upscaled, grey replicated to RGB), minus a constant mean.</summary>
    public static FloatTensor Digits(int count, int first = 0)
    {
        var digits = MnistFixture.Images;
        var t = new FloatTensor(count, 3, 224, 224);
        for (int n = 0; n < count; n++)
            for (int y = 0; y < 224; y++)
                for (int x = 0; x < 224; x++)
                {
                    float v = digits[first + n][(y * 28 / 224) * 28 + x * 28 / 224] - 114f;
                    for (int c = 0; c < 3; c++) t.Data[((n * 3 + c) * 224 + y) * 224 + x] = v;
                }
        return t;
    }
}
