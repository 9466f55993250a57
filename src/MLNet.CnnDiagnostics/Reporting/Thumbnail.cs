using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Images made readable for the report: small ones (a 28-px digit, a 3-px patch) enlarged with crisp square pixels, large ones shrunk for tooltips.</summary>
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

    /// <summary>
    /// A scatter tooltip's image, shrunk now to the size the report is written with
    /// (<see cref="HtmlReportWriter.DefaultThumbnailSide"/>): the report holds 7 kB per point instead of the full image,
    /// and the writer encodes it once as it is (a writer asked for larger tooltips keeps this size).
    /// </summary>
    public static BlockImage Tooltip(RgbImage image) => BlockImage.From(Shrink(image, HtmlReportWriter.DefaultThumbnailSide));

    /// <summary>
    /// The image with its longer side shrunk to <paramref name="maxSide"/> pixels (same aspect ratio), each output pixel the
    /// area-weighted mean of the source pixels it covers (a box filter: no aliasing when shrinking a 224-px image to 48 px).
    /// </summary>
    public static RgbImage Shrink(RgbImage image, int maxSide)
    {
        int longer = Math.Max(image.Width, image.Height);
        if (longer <= maxSide) return image;
        double scale = (double)maxSide / longer;
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var xs = Weights(image.Width, w);
        var ys = Weights(image.Height, h);
        var result = new RgbImage(w, h);
        var row = new double[w * 3];
        var src = image.Pixels;
        for (int y = 0; y < h; y++)
        {
            Array.Clear(row);
            foreach (var (sy, wy) in ys[y])
                for (int x = 0; x < w; x++)
                    foreach (var (sx, wx) in xs[x])
                    {
                        int s = (sy * image.Width + sx) * 3;
                        double weight = wy * wx;
                        row[x * 3] += src[s] * weight;
                        row[x * 3 + 1] += src[s + 1] * weight;
                        row[x * 3 + 2] += src[s + 2] * weight;
                    }
            for (int i = 0; i < row.Length; i++) result.Pixels[y * w * 3 + i] = (byte)Math.Clamp(Math.Round(row[i]), 0, 255);
        }
        return result;
    }

    /// <summary>For each of <paramref name="to"/> output positions, the source positions it covers with their weights (summing to one).</summary>
    private static List<(int Source, double Weight)>[] Weights(int from, int to)
    {
        double span = (double)from / to;
        var weights = new List<(int, double)>[to];
        for (int o = 0; o < to; o++)
        {
            double start = o * span, end = Math.Min(from, start + span);
            var list = new List<(int, double)>();
            for (int s = (int)Math.Floor(start); s < Math.Ceiling(end); s++)
            {
                double overlap = Math.Min(end, s + 1) - Math.Max(start, s);
                if (overlap > 0) list.Add((s, overlap / (end - start)));
            }
            weights[o] = list;
        }
        return weights;
    }
}
