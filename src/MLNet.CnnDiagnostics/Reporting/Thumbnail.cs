using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Images made readable for the report: small ones (a 28-px digit, a 3-px patch) enlarged with crisp square pixels.</summary>
internal static class Thumbnail
{
    /// <summary>The smallest side, in pixels, of an image in a gallery or figure.</summary>
    public const int MinimumSide = 48;

    /// <summary>The image enlarged by the smallest whole factor (nearest neighbour) that makes its shorter side at least <see cref="MinimumSide"/>.</summary>
    public static RgbImage Readable(RgbImage image)
    {
        int shorter = Math.Min(image.Width, image.Height);
        int factor = (MinimumSide + shorter - 1) / shorter;
        return factor > 1 ? image.ScaleNearest(factor) : image;
    }

    /// <summary><see cref="Readable"/> as PNG bytes.</summary>
    public static byte[] Png(RgbImage image) => Readable(image).EncodePng();
}
