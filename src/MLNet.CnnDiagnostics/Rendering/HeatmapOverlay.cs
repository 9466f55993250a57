using MLNet.CnnDiagnostics.Analysis.Attribution;
using SkiaSharp;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// A value map laid over a picture: the map [h, w] is upsampled bilinearly to the picture's size, coloured, and blended as
/// out = (1 − alpha)·picture + alpha·colour per channel, rounded to the nearest level.
/// </summary>
public static class HeatmapOverlay
{
    /// <summary>
    /// Blends <paramref name="map"/> over <paramref name="image"/>. The colour range is <paramref name="range"/>, or the map's own
    /// min..max when null (symmetric around zero for a diverging colormap). Viridis by default.
    /// </summary>
    public static RgbImage Render(RgbImage image, FloatTensor map, Colormap? colormap = null, double alpha = 0.5, ValueRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"overlay alpha {alpha} is not valid: it must be in [0, 1].");
        var cmap = colormap ?? Colormap.Viridis;
        var r = range ?? RangeFor(map, cmap);
        var up = Upsampling.Bilinear(map, image.Height, image.Width);
        var result = new RgbImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                result.SetPixel(x, y, RgbImage.Blend(image.GetPixel(x, y), cmap.Map(up.Data[y * image.Width + x], r), alpha));
        return result;
    }

    /// <summary>
    /// Blends image <paramref name="item"/>'s attribution map over <paramref name="image"/> as the report and the CLI both
    /// draw it: reduced over channels and upsampled by the map's own rules, a diverging colormap centred on zero for signed
    /// maps, Viridis for magnitudes.
    /// </summary>
    public static RgbImage Render(RgbImage image, AttributionMap map, int item, double alpha = 0.5)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Render(image, map.ImageMap(item), map.Signed ? Colormap.BlueWhiteRed : Colormap.Viridis, alpha);
    }

    /// <summary>The default colour range of a map: min..max, or ±max|v| for a diverging colormap (NaN/∞ rejected).</summary>
    public static ValueRange RangeFor(FloatTensor map, Colormap colormap)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(colormap);
        if (map.Length == 0) throw new CnnDiagnosticsException($"map of shape [{string.Join(",", map.Shape)}] is empty: nothing to colour.");
        return colormap.IsDiverging ? ValueRange.SymmetricOf(map.Data) : ValueRange.Of(map.Data);
    }
}
