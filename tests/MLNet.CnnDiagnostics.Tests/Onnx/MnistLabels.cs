using System.IO.Compression;

namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>The MNIST test labels, read independently of the library.</summary>
internal static class MnistLabels
{
    private static readonly Lazy<byte[]> Loaded = new(() =>
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-labels-idx1-ubyte.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray()[8..];
    });

    public static byte[] All => Loaded.Value;
}
