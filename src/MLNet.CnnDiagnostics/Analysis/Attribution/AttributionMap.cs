using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// The one result type of every attribution method: the raw values a method computed ([N, h, w] or [N, C, h, w]), the
/// resolution they were computed at, the named <see cref="ChannelReduction"/> that turns channels into one value per
/// position, and how a position map is upsampled to the image. The report and the CLI draw and rank pixels through
/// <see cref="ImageMap"/>, so a method's map looks the same in both.
/// </summary>
public sealed class AttributionMap
{
    /// <summary>Wraps <paramref name="values"/> (one map per image of an <paramref name="imageHeight"/> × <paramref name="imageWidth"/> batch).</summary>
    public AttributionMap(FloatTensor values, int imageHeight, int imageWidth, ChannelReduction reduction, bool signed,
        AttributionUpsampling upsampling = AttributionUpsampling.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(reduction);
        if (values.Rank is not (3 or 4) || values.Length == 0)
            throw new CnnDiagnosticsException($"attribution maps [{string.Join(",", values.Shape)}] are not [N, h, w] or [N, C, h, w].");
        if (imageHeight < values.Shape[^2] || imageWidth < values.Shape[^1])
            throw new CnnDiagnosticsException($"attribution maps [{string.Join(",", values.Shape)}] are larger than the {imageHeight}×{imageWidth} images they explain.");
        if (!Enum.IsDefined(upsampling)) throw new ArgumentOutOfRangeException(nameof(upsampling), upsampling, "upsampling is Bilinear or NearestNeighbour.");
        Values = values;
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Reduction = reduction;
        Signed = signed;
        Upsampling = upsampling;
    }

    /// <summary>The values as the method computed them: [N, h, w], or [N, C, h, w] for methods that keep input channels.</summary>
    public FloatTensor Values { get; }

    /// <summary>Number of images (maps).</summary>
    public int Count => Values.Shape[0];

    /// <summary>Channels per map (1 for [N, h, w] maps).</summary>
    public int Channels => Values.Rank == 4 ? Values.Shape[1] : 1;

    /// <summary>Height the map was computed at (the image's, or a CAM layer's).</summary>
    public int Height => Values.Shape[^2];

    /// <summary>Width the map was computed at.</summary>
    public int Width => Values.Shape[^1];

    /// <summary>Height of the images explained.</summary>
    public int ImageHeight { get; }

    /// <summary>Width of the images explained.</summary>
    public int ImageWidth { get; }

    /// <summary>The reduction over channels (applies when <see cref="Channels"/> &gt; 1; see <see cref="ChannelReduction.Name"/>).</summary>
    public ChannelReduction Reduction { get; }

    /// <summary>Whether the position map carries sign (zero is neutral, e.g. integrated gradients, CAM, occlusion): draw it with a diverging colormap.</summary>
    public bool Signed { get; }

    /// <summary>How a coarser position map is brought to the image's size.</summary>
    public AttributionUpsampling Upsampling { get; }

    /// <summary>Every map reduced over channels, at the computed resolution: [N, h, w].</summary>
    public FloatTensor Reduced() => Reduction.Reduce(Values);

    /// <summary>Image <paramref name="item"/>'s map reduced over channels, at the computed resolution: [h, w].</summary>
    public FloatTensor Reduced(int item)
    {
        if ((uint)item >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(item), item, $"item {item} is outside the {Count} maps.");
        return Reduction.Reduce(Values.Slice(item)).Reshape(Height, Width);
    }

    /// <summary>Image <paramref name="item"/>'s map reduced and brought to the image's size: [ImageHeight, ImageWidth].</summary>
    public FloatTensor ImageMap(int item)
    {
        var map = Reduced(item);
        if (Height == ImageHeight && Width == ImageWidth) return map;
        var data = Upsampling == AttributionUpsampling.Bilinear
            ? ActivationMask.Upsample(map.Data, Height, Width, ImageHeight, ImageWidth)
            : Nearest(map.Data, Height, Width, ImageHeight, ImageWidth);
        return new FloatTensor([ImageHeight, ImageWidth], data);
    }

    private static float[] Nearest(float[] map, int h, int w, int height, int width)
    {
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            result[y * width + x] = map[Math.Min(h - 1, (int)((y + 0.5) * h / height)) * w + Math.Min(w - 1, (int)((x + 0.5) * w / width))];
        return result;
    }
}
