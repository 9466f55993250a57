using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// An image in a report block: held in memory until the HTML writer encodes it (once per write), or given as PNG bytes.
/// A scatter's tooltip thumbnail is shrunk from the in-memory image, so an image is never encoded, decoded and encoded again.
/// </summary>
public sealed class BlockImage
{
    private readonly RgbImage? _image;
    private readonly byte[]? _png;

    private BlockImage(RgbImage? image, byte[]? png)
    {
        _image = image;
        _png = png;
    }

    /// <summary>An image held in memory (encoded when the report is written).</summary>
    /// <param name="image">The pixels.</param>
    public static BlockImage From(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new(image, null);
    }

    /// <summary>An image given as PNG bytes (checked when the report is written).</summary>
    /// <param name="png">The encoded PNG.</param>
    public static BlockImage FromPng(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return new(null, png);
    }

    /// <summary>An image held in memory (null stays null).</summary>
    /// <param name="image">The pixels.</param>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(image))]
    public static implicit operator BlockImage?(RgbImage? image) => image is null ? null : From(image);

    /// <summary>The in-memory image, or null when the image was given as PNG bytes.</summary>
    public RgbImage? Image => _image;

    /// <summary>The image as PNG: the bytes given, or the in-memory image encoded now.</summary>
    public byte[] Png => _png ?? _image!.EncodePng();

    /// <summary>What identifies the pixels (the array given or the image), so the same image given twice is handled once.</summary>
    internal object Identity => (object?)_png ?? _image!;

    /// <summary>The image as PNG with its longer side at most <paramref name="maxSide"/> pixels (shrunk in memory; PNG bytes are decoded only when they must shrink).</summary>
    internal byte[] ThumbnailPng(int maxSide)
    {
        if (_image is null) return ReportImage.Shrink(_png!, maxSide);
        return Math.Max(_image.Width, _image.Height) <= maxSide ? _image.EncodePng() : Thumbnail.Shrink(_image, maxSide).EncodePng();
    }
}
