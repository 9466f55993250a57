using System.Globalization;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// Pictures of one image's activations at one layer, [C, H, W] (or [1, C, H, W]): every channel as a heatmap tile in a grid,
/// or one channel (or the channel mean) upsampled bilinearly to the image and alpha-blended on it.
/// </summary>
public static class ActivationMapRenderer
{
    /// <summary>All channels (up to <see cref="ActivationGridOptions.MaxChannels"/>) as heatmap tiles, with legend and colour bar.</summary>
    public static RenderedGrid RenderGrid(FloatTensor activations, ActivationGridOptions? options = null)
    {
        var o = options ?? new ActivationGridOptions();
        var (channels, h, w) = CheckActivations(activations);
        ArgumentNullException.ThrowIfNull(o.Colormap);
        if (o.MaxChannels is <= 0) throw new ArgumentException($"MaxChannels {o.MaxChannels} must be positive (or null for all).");
        if (o.Scale is <= 0) throw new ArgumentException($"scale {o.Scale} is not valid: it must be a positive integer factor (or null).");
        int shown = Math.Min(channels, o.MaxChannels ?? int.MaxValue);
        int scale = o.Scale ?? Math.Max(1, (FilterBankRenderer.MinimumTileSide + Math.Max(h, w) - 1) / Math.Max(h, w));
        int plane = h * w;

        var ranges = new ValueRange[channels];
        for (int c = 0; c < channels; c++)
        {
            var values = activations.Data.AsSpan(c * plane, plane);
            ranges[c] = o.Colormap.IsDiverging ? ValueRange.SymmetricOf(values) : ValueRange.Of(values);
        }
        var layerRange = ranges.Aggregate((a, b) => a.Union(b));
        bool perChannel = o.Normalization == ActivationNormalization.PerChannel;

        var tiles = new List<RgbImage>(shown);
        for (int c = 0; c < shown; c++)
        {
            var map = new FloatTensor([h, w], activations.Data.AsSpan(c * plane, plane).ToArray());
            var up = o.Bilinear ? Upsampling.Bilinear(map, h * scale, w * scale) : Upsampling.NearestNeighbour(map, h * scale, w * scale);
            tiles.Add(Colorize(up, o.Colormap, perChannel ? ranges[c] : layerRange));
        }

        string layer = o.LayerName ?? "activations";
        var legend = new List<string>
        {
            $"{layer}: {channels} channels of {h}×{w}" + (shown < channels ? $", channels 0–{shown - 1} shown" : ""),
            $"{o.Colormap.Name}, " + (perChannel
                ? "normalised per channel (each tile from its own min to its max)"
                : $"normalised over the whole layer [{Format(layerRange.Min)}, {Format(layerRange.Max)}]")
                + (o.Colormap.IsDiverging ? ", symmetric around 0" : ""),
        };
        var (grid, header) = ImageGrid.WithLegend(shown, w * scale, h * scale, o.Padding, o.Columns, o.TextSize, o.ShowLabels, o.ShowLegend ? legend : null);
        var labels = Enumerable.Range(0, shown).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
        var image = grid.Compose(tiles, o.ShowLabels ? labels : null, header, o.Background);
        if (o.ShowColorBar)
            image = ColorBar.Attach(image, o.Colormap, perChannel ? new ValueRange(0, 1) : layerRange, textSize: o.TextSize, background: o.Background);
        return new RenderedGrid(image, grid, legend);
    }

    /// <summary>
    /// Channel <paramref name="channel"/> of <paramref name="activations"/> (the mean over channels when null; a 2-D [H, W] map is
    /// used as it is) upsampled bilinearly to <paramref name="image"/>'s size and alpha-blended on it.
    /// </summary>
    public static RgbImage RenderOverlay(RgbImage image, FloatTensor activations, int? channel = null, OverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var o = options ?? new OverlayOptions();
        var map = MapOf(activations, channel);
        var range = o.Range ?? HeatmapOverlay.RangeFor(map, o.Colormap);
        var blended = HeatmapOverlay.Render(image, map, o.Colormap, o.Alpha, range);
        return o.ShowColorBar ? ColorBar.Attach(blended, o.Colormap, range) : blended;
    }

    /// <summary>Colours every value of a 2-D map [H, W] in <paramref name="range"/>.</summary>
    public static RgbImage Colorize(FloatTensor map, Colormap colormap, ValueRange range)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(colormap);
        if (map.Rank != 2 || map.Length == 0)
            throw new CnnDiagnosticsException($"map of shape [{string.Join(",", map.Shape)}] cannot be coloured: expected a non-empty 2-D map [H, W].");
        int h = map.Shape[0], w = map.Shape[1];
        var tile = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                tile.SetPixel(x, y, colormap.Map(map.Data[y * w + x], range));
        return tile;
    }

    private static FloatTensor MapOf(FloatTensor activations, int? channel)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank == 2)
        {
            if (channel is not null and not 0)
                throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} does not exist: a 2-D map has only one.");
            CheckFinite(activations, "map");
            return activations;
        }
        var (channels, h, w) = CheckActivations(activations);
        int plane = h * w;
        if (channel is { } c)
        {
            if ((uint)c >= (uint)channels)
                throw new ArgumentOutOfRangeException(nameof(channel), $"channel {c} does not exist: the activations have {channels} channels (0–{channels - 1}).");
            return new FloatTensor([h, w], activations.Data.AsSpan(c * plane, plane).ToArray());
        }
        var mean = new float[plane];
        for (int k = 0; k < channels; k++)
            for (int p = 0; p < plane; p++)
                mean[p] += activations.Data[k * plane + p] / channels;
        return new FloatTensor([h, w], mean);
    }

    private static (int C, int H, int W) CheckActivations(FloatTensor activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        int[] s = activations.Rank == 4 && activations.Shape[0] == 1 ? activations.Shape[1..] : activations.Shape;
        if (s.Length != 3 || activations.Length == 0)
            throw new CnnDiagnosticsException($"activations of shape [{string.Join(",", activations.Shape)}] cannot be drawn: expected one image's maps [C, H, W] or [1, C, H, W], none empty.");
        CheckFinite(activations, "activations");
        return (s[0], s[1], s[2]);
    }

    private static void CheckFinite(FloatTensor t, string what)
    {
        int i = Array.FindIndex(t.Data, v => !float.IsFinite(v));
        if (i >= 0) throw new CnnDiagnosticsException($"{what} hold {t.Data[i]} at flat index {i}: every value must be a finite number.");
    }

    private static string Format(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
