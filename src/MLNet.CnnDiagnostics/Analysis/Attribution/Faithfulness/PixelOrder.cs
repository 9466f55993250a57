using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;

/// <summary>Orders of an image's pixels (indices y·W + x) in which a causal metric replaces them.</summary>
public static class PixelOrder
{
    /// <summary>
    /// Per item, the pixels by descending attribution (ties: lower index first). Maps may be [N, H, W] (saliency,
    /// occlusion), [N, C, H, W] (integrated gradients, guided backprop: a pixel scores the sum over its channels, its
    /// total contribution), or [N, h, w] at a coarser resolution (the CAM family: upsampled bilinearly, as displayed).
    /// </summary>
    public static int[][] ByAttribution(FloatTensor attributions, int height, int width)
    {
        var scores = PixelScores(attributions, height, width);
        return scores.Select(Descending).ToArray();
    }

    /// <summary>Per item, the pixels by descending value of the map as drawn (<see cref="AttributionMap.ImageMap"/>: its own reduction and upsampling).</summary>
    public static int[][] ByAttribution(AttributionMap map) => PixelScores(map).Select(Descending).ToArray();

    /// <summary>A uniformly random order of <paramref name="pixels"/> pixels (Fisher–Yates).</summary>
    public static int[] Random(int pixels, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixels);
        var order = Enumerable.Range(0, pixels).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>Indices of <paramref name="scores"/> from the highest score to the lowest (ties: lower index first).</summary>
    public static int[] Descending(float[] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        return order;
    }

    /// <summary>Per item, one score a pixel of an image of <paramref name="height"/> × <paramref name="width"/> (channels summed: <see cref="ChannelReduction.Sum"/>).</summary>
    public static float[][] PixelScores(FloatTensor attributions, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        var s = attributions.Shape;
        string shape = $"[{string.Join(",", s)}]";
        bool full = s.Length is 3 or 4 && s[^2] == height && s[^1] == width;
        bool coarse = s.Length == 3 && s[1] <= height && s[2] <= width && s[1] > 0 && s[2] > 0;
        if (!full && !coarse)
            throw new CnnDiagnosticsException($"attribution maps {shape} do not fit {height}×{width} images; expected [N, {height}, {width}], [N, C, {height}, {width}] or a coarser [N, h, w].");
        return PixelScores(new AttributionMap(attributions, height, width, ChannelReduction.Sum, signed: true));
    }

    /// <summary>Per item, one score per image pixel: the map reduced over channels and upsampled as it is drawn.</summary>
    public static float[][] PixelScores(AttributionMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var values = map.Values;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values.Data[i]))
                throw new CnnDiagnosticsException($"attribution maps [{string.Join(",", values.Shape)}] hold {values.Data[i]} at flat index {i}; pixels cannot be ordered by a NaN or infinite score.");
        var result = new float[map.Count][];
        for (int item = 0; item < map.Count; item++) result[item] = map.ImageMap(item).Data;
        return result;
    }
}
