using System.Globalization;
using MLNet.CnnDiagnostics.Analysis;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// Draws a <see cref="FilterBank"/> as one grid image: RGB tiles for a first layer with 3 input channels, colormap tiles
/// (grayscale by default) per (output, input) pair or per filter averaged over its inputs for deeper layers. Weights are scaled
/// up with nearest neighbour so each weight is a visible square. Level of a weight w in its range r: floor(256·(w − r.Min)/(r.Max − r.Min)),
/// capped at 255; with the default symmetric range [-a, a], +a is 255, −a is 0 and 0 is 128.
/// </summary>
public static class FilterBankRenderer
{
    /// <summary>Smallest tile side (pixels) that the automatic scale aims for.</summary>
    public const int MinimumTileSide = 48;

    /// <summary>Renders the filter bank; the legend drawn in the header is also returned as text.</summary>
    public static RenderedGrid Render(FilterBank bank, FilterGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        var plan = Plan.Make(bank, options ?? new FilterGridOptions());
        var o = plan.Options;
        int tileW = bank.KernelWidth * plan.Scale, tileH = bank.KernelHeight * plan.Scale;
        int count = plan.Filters * plan.Inputs;
        int? columns = o.Columns ?? (plan.Mode == FilterTileMode.PerInputChannel ? plan.Inputs : null);
        var legend = Legend(bank, o);
        var (grid, header) = ImageGrid.WithLegend(count, tileW, tileH, o.Padding, columns, o.TextSize, o.ShowLabels, o.ShowLegend ? legend : null);

        var stats = bank.Statistics;
        var tiles = new List<RgbImage>(count);
        var labels = new List<string>(count);
        for (int f = 0; f < plan.Filters; f++)
            for (int i = 0; i < plan.Inputs; i++)
            {
                tiles.Add(plan.Tile(f, i).ScaleNearest(plan.Scale));
                labels.Add(plan.Mode == FilterTileMode.PerInputChannel ? $"{f}·{i}" : stats[f].IsDead ? $"{f} dead" : $"{f}");
            }
        var image = grid.Compose(tiles, o.ShowLabels ? labels : null, header, o.Background);
        if (o.Padding >= 1)
            for (int t = 0; t < count; t++)
                if (stats[t / plan.Inputs].IsDead)
                {
                    var (x, y) = grid.TileOrigin(t);
                    image.DrawRectangle(x - 1, y - 1, tileW + 2, tileH + 2, RgbColors.Red);
                }
        return new RenderedGrid(image, grid, legend);
    }

    /// <summary>The legend lines: the layer and its dead filters, the tile mode, and the normalisation (with the range when shared).</summary>
    public static IReadOnlyList<string> Legend(FilterBank bank, FilterGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bank);
        var plan = Plan.Make(bank, options ?? new FilterGridOptions());
        var o = plan.Options;
        int dead = bank.DeadFilters.Count;
        string first = $"{bank.LayerName}: {bank.OutputChannels} filters of {bank.InputChannels}×{bank.KernelHeight}×{bank.KernelWidth}, "
            + (dead == 0 ? "none dead" : $"{dead} dead (L2 norm ≤ {(bank.DeadNormFraction * 100).ToString("G3", CultureInfo.InvariantCulture)}% of the largest)");
        string tiles = plan.Mode switch
        {
            FilterTileMode.Rgb => $"RGB tiles: input channels {(o.InputChannelsAreBgr ? "2, 1, 0" : "0, 1, 2")} as red, green, blue",
            FilterTileMode.PerInputChannel => $"{o.Colormap.Name} tiles, one per (filter, input channel): a row per filter",
            _ => $"{o.Colormap.Name} tiles, each filter averaged over its {bank.InputChannels} input channels",
        };
        tiles += $"; {plan.Scale} px per weight";
        if (plan.Filters < bank.OutputChannels) tiles += $"; filters 0–{plan.Filters - 1} of {bank.OutputChannels}";
        if (plan.Mode == FilterTileMode.PerInputChannel && plan.Inputs < bank.InputChannels) tiles += $"; inputs 0–{plan.Inputs - 1} of {bank.InputChannels}";
        string zero = plan.Mode == FilterTileMode.Rgb ? "mid grey" : "middle colour";
        string scale = o.Normalization == FilterNormalization.PerFilter ? "normalised per filter" : $"normalised over the whole layer ({plan.LayerRange})";
        scale += o.SymmetricAroundZero ? $", symmetric around 0 ({zero} = 0)" : ", min to max";
        return [first, tiles, scale];
    }

    private sealed class Plan
    {
        private readonly FilterBank _bank;
        private readonly float[][] _shown;
        private readonly ValueRange[] _ranges;

        private Plan(FilterBank bank, FilterGridOptions options, FilterTileMode mode, int filters, int inputs, int scale)
        {
            _bank = bank;
            Options = options;
            Mode = mode;
            Filters = filters;
            Inputs = inputs;
            Scale = scale;
            _shown = Enumerable.Range(0, bank.OutputChannels).Select(Shown).ToArray();
            _ranges = _shown.Select(RangeOf).ToArray();
            LayerRange = _ranges.Aggregate((a, b) => a.Union(b));
        }

        public FilterGridOptions Options { get; }
        public FilterTileMode Mode { get; }
        public int Filters { get; }
        public int Inputs { get; }
        public int Scale { get; }
        public ValueRange LayerRange { get; }

        public static Plan Make(FilterBank bank, FilterGridOptions o)
        {
            var mode = o.Mode == FilterTileMode.Auto ? (bank.InputChannels == 3 ? FilterTileMode.Rgb : FilterTileMode.AveragedOverInputs) : o.Mode;
            if (mode == FilterTileMode.Rgb && bank.InputChannels != 3)
                throw new CnnDiagnosticsException($"layer '{bank.LayerName}' has {bank.InputChannels} input channels: RGB tiles need exactly 3; use PerInputChannel or AveragedOverInputs.");
            if (o.MaxFilters is <= 0 || o.MaxInputChannels is <= 0)
                throw new ArgumentException($"MaxFilters {o.MaxFilters} and MaxInputChannels {o.MaxInputChannels} must be positive (or null for all).");
            if (o.Scale is <= 0) throw new ArgumentException($"scale {o.Scale} is not valid: it must be a positive number of pixels per weight (or null).");
            ArgumentNullException.ThrowIfNull(o.Colormap);
            int filters = Math.Min(bank.OutputChannels, o.MaxFilters ?? int.MaxValue);
            int inputs = mode == FilterTileMode.PerInputChannel ? Math.Min(bank.InputChannels, o.MaxInputChannels ?? int.MaxValue) : 1;
            int side = Math.Max(bank.KernelHeight, bank.KernelWidth);
            int scale = o.Scale ?? Math.Max(1, (MinimumTileSide + side - 1) / side);
            return new Plan(bank, o, mode, filters, inputs, scale);
        }

        public RgbImage Tile(int filter, int input)
        {
            int kh = _bank.KernelHeight, kw = _bank.KernelWidth, plane = kh * kw;
            var range = Options.Normalization == FilterNormalization.PerFilter ? _ranges[filter] : LayerRange;
            var values = _shown[filter];
            var tile = new RgbImage(kw, kh);
            for (int p = 0; p < plane; p++)
            {
                int x = p % kw, y = p / kw;
                if (Mode == FilterTileMode.Rgb)
                {
                    int r = Options.InputChannelsAreBgr ? 2 : 0, b = 2 - r;
                    tile.SetPixel(x, y, new RgbColor((byte)range.ToLevel(values[r * plane + p]), (byte)range.ToLevel(values[plane + p]), (byte)range.ToLevel(values[b * plane + p])));
                }
                else
                {
                    int offset = Mode == FilterTileMode.PerInputChannel ? input * plane : 0;
                    tile.SetPixel(x, y, Options.Colormap.Map(values[offset + p], range));
                }
            }
            return tile;
        }

        // The values a filter's tiles show: all its weights (RGB, per input), or the kernel averaged over inputs.
        private float[] Shown(int filter)
        {
            var weights = _bank.Filter(filter);
            if (Mode == FilterTileMode.Rgb) return weights.ToArray();
            if (Mode == FilterTileMode.PerInputChannel) return weights[..(Inputs * _bank.KernelHeight * _bank.KernelWidth)].ToArray();
            int plane = _bank.KernelHeight * _bank.KernelWidth;
            var mean = new float[plane];
            for (int i = 0; i < _bank.InputChannels; i++)
                for (int p = 0; p < plane; p++)
                    mean[p] += weights[i * plane + p];
            for (int p = 0; p < plane; p++) mean[p] /= _bank.InputChannels;
            return mean;
        }

        private ValueRange RangeOf(float[] values) => Options.SymmetricAroundZero ? ValueRange.SymmetricOf(values) : ValueRange.Of(values);
    }
}
