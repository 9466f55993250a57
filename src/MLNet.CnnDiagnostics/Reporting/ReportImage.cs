using System.Buffers.Binary;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>PNG checks, sizes and thumbnail shrinking for images embedded in the HTML report.</summary>
internal static class ReportImage
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the PNG header, or null when the bytes are not a PNG with an IHDR chunk first.</summary>
    public static (int Width, int Height)? Size(byte[]? bytes)
    {
        // signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4)
        if (bytes is null || bytes.Length < 24 || !bytes.AsSpan().StartsWith(PngSignature) || !bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            return null;
        int w = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), h = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        return w > 0 && h > 0 ? (w, h) : null;
    }

    /// <summary>The bytes as a <c>data:image/png;base64,</c> URI.</summary>
    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    /// <summary>
    /// The PNG unchanged when its longer side is at most <paramref name="maxSide"/> pixels, otherwise a smaller PNG
    /// with the same aspect ratio (so 1,000 tooltip thumbnails keep the report small).
    /// </summary>
    public static byte[] Shrink(byte[] png, int maxSide)
    {
        var size = Size(png) ?? throw new CnnDiagnosticsException($"{png.Length} bytes are not a PNG image (no PNG signature and header).");
        if (Math.Max(size.Width, size.Height) <= maxSide) return png;
        return Thumbnail.Shrink(RgbImage.DecodePng(png), maxSide).EncodePng();
    }
}
