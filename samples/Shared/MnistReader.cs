using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.CnnDiagnostics.Data;

/// <summary>
/// Reads the MNIST idx files (as distributed: <c>*-images-idx3-ubyte.gz</c>, <c>*-labels-idx1-ubyte.gz</c>; gzip or plain).
/// Images come back as an [N, rows·columns] tensor of pixels / 255 in [0, 1], row-major within an image.
/// </summary>
internal static class MnistReader
{
    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;

    /// <summary>Reads up to <paramref name="count"/> images (all when null) as an [N, rows·columns] tensor scaled to [0, 1].</summary>
    public static FloatTensor ReadImages(string path, int? count = null)
    {
        using var stream = Open(path);
        var header = ReadExactly(stream, 16, path);
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImageMagic)
            throw new CnnDiagnosticsException($"'{path}' starts with 0x{magic:x8}; an idx3 image file starts with 0x{ImageMagic:x8}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(12));
        int take = Take(n, count, path);
        int size = rows * cols;
        var bytes = ReadExactly(stream, take * size, path);
        var data = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) data[i] = bytes[i] / 255f;
        return new FloatTensor([take, size], data);
    }

    /// <summary>Reads up to <paramref name="count"/> labels (all when null), each 0–9 for MNIST.</summary>
    public static int[] ReadLabels(string path, int? count = null)
    {
        using var stream = Open(path);
        var header = ReadExactly(stream, 8, path);
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != LabelMagic)
            throw new CnnDiagnosticsException($"'{path}' starts with 0x{magic:x8}; an idx1 label file starts with 0x{LabelMagic:x8}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int take = Take(n, count, path);
        return ReadExactly(stream, take, path).Select(b => (int)b).ToArray();
    }

    private static int Take(int available, int? count, string path)
    {
        if (count is < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be at least 0; '{path}' holds {available} items.");
        return Math.Min(available, count ?? available);
    }

    private static Stream Open(string path)
    {
        if (!File.Exists(path))
            throw new CnnDiagnosticsException($"MNIST file '{path}' does not exist.");
        var file = File.OpenRead(path);
        try
        {
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            return b0 == 0x1f && b1 == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static byte[] ReadExactly(Stream stream, int count, string path)
    {
        var buffer = new byte[count];
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new CnnDiagnosticsException($"'{path}' ends before the {count} bytes its header announces; the file is truncated.", e);
        }
        return buffer;
    }
}
