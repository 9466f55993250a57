namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// Resizing of 2-D value maps [H, W] (activation maps, saliency maps) before they are coloured.
/// Both methods use pixel centres: output pixel x samples the source at (x + 0.5)·W/W' − 0.5 (align_corners = false,
/// as in OpenCV's resize and PyTorch's interpolate), with samples beyond the edge clamped to the edge.
/// </summary>
public static class Upsampling
{
    /// <summary>Each output pixel takes the value of the source pixel whose cell contains its centre.</summary>
    public static FloatTensor NearestNeighbour(FloatTensor map, int height, int width)
    {
        var (h, w) = Check(map, height, width);
        var result = new FloatTensor(height, width);
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min(h - 1, (int)Math.Floor((y + 0.5) * h / height));
            for (int x = 0; x < width; x++)
            {
                int sx = Math.Min(w - 1, (int)Math.Floor((x + 0.5) * w / width));
                result.Data[y * width + x] = map.Data[sy * w + sx];
            }
        }
        return result;
    }

    /// <summary>Each output pixel is the bilinear interpolation of the four source pixels around its centre.</summary>
    public static FloatTensor Bilinear(FloatTensor map, int height, int width)
    {
        var (h, w) = Check(map, height, width);
        var result = new FloatTensor(height, width);
        var x0 = new int[width]; var x1 = new int[width]; var fx = new double[width];
        for (int x = 0; x < width; x++) (x0[x], x1[x], fx[x]) = SourceCoordinate(x, w, width);
        for (int y = 0; y < height; y++)
        {
            var (y0, y1, fy) = SourceCoordinate(y, h, height);
            for (int x = 0; x < width; x++)
            {
                double top = map.Data[y0 * w + x0[x]] * (1 - fx[x]) + map.Data[y0 * w + x1[x]] * fx[x];
                double bottom = map.Data[y1 * w + x0[x]] * (1 - fx[x]) + map.Data[y1 * w + x1[x]] * fx[x];
                result.Data[y * width + x] = (float)(top * (1 - fy) + bottom * fy);
            }
        }
        return result;
    }

    private static (int Low, int High, double Fraction) SourceCoordinate(int target, int sourceSize, int targetSize)
    {
        double s = (target + 0.5) * sourceSize / targetSize - 0.5;
        if (s <= 0) return (0, 0, 0);
        if (s >= sourceSize - 1) return (sourceSize - 1, sourceSize - 1, 0);
        int low = (int)Math.Floor(s);
        return (low, low + 1, s - low);
    }

    private static (int H, int W) Check(FloatTensor map, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Rank != 2 || map.Length == 0)
            throw new CnnDiagnosticsException($"map of shape [{string.Join(",", map.Shape)}] cannot be resized: expected a non-empty 2-D map [H, W].");
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"target size {width}×{height} is not valid: width and height must be positive.");
        return (map.Shape[0], map.Shape[1]);
    }
}
