using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// A unit's activation map as a mask over the image, as in Network Dissection (Bau et al. 2017): the map is upsampled
/// bilinearly to the image size and the pixels above the unit's threshold (its top-0.5% quantile over the dataset) form the mask.
/// </summary>
public sealed class ActivationMask
{
    private ActivationMask(int height, int width, float threshold, float[] upsampled)
    {
        Height = height;
        Width = width;
        Threshold = threshold;
        Upsampled = upsampled;
        Mask = new byte[upsampled.Length];
        int on = 0, top = height, left = width, bottom = 0, right = 0;
        for (int i = 0; i < upsampled.Length; i++)
        {
            if (!(upsampled[i] > threshold)) continue;
            Mask[i] = 1;
            on++;
            int y = i / width, x = i % width;
            top = Math.Min(top, y); bottom = Math.Max(bottom, y + 1);
            left = Math.Min(left, x); right = Math.Max(right, x + 1);
        }
        Coverage = (double)on / upsampled.Length;
        Bounds = on == 0 ? null : new PixelRectangle(top, left, bottom - top, right - left);
    }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>The threshold the mask was cut at.</summary>
    public float Threshold { get; }

    /// <summary>The activation map upsampled to the image, row-major [Height × Width].</summary>
    public float[] Upsampled { get; }

    /// <summary>1 where the upsampled activation exceeds the threshold, else 0, row-major [Height × Width].</summary>
    public byte[] Mask { get; }

    /// <summary>Fraction of the image's pixels inside the mask.</summary>
    public double Coverage { get; }

    /// <summary>The smallest rectangle holding the mask; null when the mask is empty.</summary>
    public PixelRectangle? Bounds { get; }

    /// <summary>
    /// The mask of channel <paramref name="channel"/> of batch item <paramref name="item"/> of <paramref name="activations"/>
    /// [N, C, h, w] for an image of <paramref name="imageHeight"/> × <paramref name="imageWidth"/> pixels.
    /// With a <paramref name="field"/>, activation samples sit at their receptive-field centres; without, the map is
    /// stretched over the image (pixel centres aligned, as image resizing does).
    /// </summary>
    public static ActivationMask Create(FloatTensor activations, int item, int channel, float threshold, int imageHeight, int imageWidth, ReceptiveField? field = null)
    {
        ActivationBatch.RequireSpatial(activations, activations?.Shape is { Length: >= 2 } s ? s[1] : 0, "an activation mask");
        int n = activations!.Shape[0], c = activations.Shape[1], h = activations.Shape[2], w = activations.Shape[3];
        if ((uint)item >= (uint)n) throw new ArgumentOutOfRangeException(nameof(item), item, $"item {item} is outside the batch of {n}.");
        if ((uint)channel >= (uint)c) throw new ArgumentOutOfRangeException(nameof(channel), channel, $"channel {channel} is outside 0..{c - 1}.");
        var map = activations.Data.AsSpan((item * c + channel) * h * w, h * w);
        return new ActivationMask(imageHeight, imageWidth, threshold, Upsample(map, h, w, imageHeight, imageWidth, field));
    }

    /// <summary>
    /// Bilinear upsampling of a map [h × w] to [height × width]. Without a field, output pixel p samples the map at
    /// (p + ½)·h/height − ½; with one, at (p − centre of position 0)/jump. Samples beyond the map take its edge value.
    /// </summary>
    public static float[] Upsample(ReadOnlySpan<float> map, int h, int w, int height, int width, ReceptiveField? field = null)
    {
        if (h <= 0 || w <= 0 || map.Length != h * w)
            throw new ArgumentException($"the map holds {map.Length} values, which is not a non-empty {h}×{w} map.", nameof(map));
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(height <= 0 ? nameof(height) : nameof(width), $"image size {height}×{width} must be positive.");
        var (y0, y1, fy) = Taps(h, height, field?.Y);
        var (x0, x1, fx) = Taps(w, width, field?.X);
        var result = new float[height * width];
        for (int py = 0; py < height; py++)
            for (int px = 0; px < width; px++)
            {
                float top = map[y0[py] * w + x0[px]] * (1 - fx[px]) + map[y0[py] * w + x1[px]] * fx[px];
                float bottom = map[y1[py] * w + x0[px]] * (1 - fx[px]) + map[y1[py] * w + x1[px]] * fx[px];
                result[py * width + px] = top * (1 - fy[py]) + bottom * fy[py];
            }
        return result;
    }

    /// <summary>
    /// The image [C, H, W] (or [1, C, H, W]) with pixels outside the mask scaled by <paramref name="outsideFactor"/>
    /// (0 blacks them out, 1 leaves the image as is): the usual Network Dissection overlay.
    /// </summary>
    public FloatTensor ApplyTo(FloatTensor image, float outsideFactor = 0.25f)
    {
        ArgumentNullException.ThrowIfNull(image);
        int plane = Height * Width;
        if (image.Rank < 3 || image.Shape[^2] != Height || image.Shape[^1] != Width)
            throw new CnnDiagnosticsException($"the image [{string.Join(",", image.Shape)}] does not match the {Height}×{Width} mask; expected [C, {Height}, {Width}].");
        var result = image.Clone();
        for (int i = 0; i < result.Length; i++)
            if (Mask[i % plane] == 0) result.Data[i] *= outsideFactor;
        return result;
    }

    /// <summary>|A ∩ B| / |A ∪ B| of two masks of the same size (Network Dissection's score against a concept mask); 0 when both are empty.</summary>
    public double IntersectionOverUnion(ReadOnlySpan<byte> other)
    {
        if (other.Length != Mask.Length)
            throw new ArgumentException($"the other mask holds {other.Length} pixels, this one {Mask.Length}.", nameof(other));
        int both = 0, either = 0;
        for (int i = 0; i < Mask.Length; i++)
        {
            bool a = Mask[i] != 0, b = other[i] != 0;
            if (a && b) both++;
            if (a || b) either++;
        }
        return either == 0 ? 0 : (double)both / either;
    }

    // Per output pixel: the two map rows (or columns) to blend and the weight of the second.
    private static (int[] Low, int[] High, float[] Weight) Taps(int mapSize, int size, ReceptiveFieldAxis? axis)
    {
        var low = new int[size];
        var high = new int[size];
        var weight = new float[size];
        for (int p = 0; p < size; p++)
        {
            double s = axis is { } a ? (p - a.Center(0)) / a.Jump : (p + 0.5) * mapSize / size - 0.5;
            s = Math.Clamp(s, 0, mapSize - 1);
            int i = Math.Min((int)Math.Floor(s), mapSize - 1);
            low[p] = i;
            high[p] = Math.Min(i + 1, mapSize - 1);
            weight[p] = (float)(s - i);
        }
        return (low, high, weight);
    }
}
