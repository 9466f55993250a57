using System.IO.Compression;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>The first MNIST test digits (0..255 bytes), read with a minimal idx reader independent of the library.</summary>
internal static class MnistFixture
{
    private static readonly Lazy<byte[][]> Loaded = new(() =>
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-images-idx3-ubyte.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        var bytes = ms.ToArray();
        int count = (bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7];
        return Enumerable.Range(0, count).Select(i => bytes.AsSpan(16 + i * 784, 784).ToArray()).ToArray();
    });

    public static byte[][] Images => Loaded.Value;
}
