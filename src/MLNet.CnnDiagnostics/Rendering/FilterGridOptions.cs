
namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>Choices for <see cref="FilterBankRenderer"/>.</summary>
public sealed record FilterGridOptions
{
    /// <summary>Tile mode; <see cref="FilterTileMode.Auto"/> by default.</summary>
    public FilterTileMode Mode { get; init; } = FilterTileMode.Auto;

    /// <summary>Colour scale sharing; per filter by default.</summary>
    public FilterNormalization Normalization { get; init; } = FilterNormalization.PerFilter;

    /// <summary>Scale symmetric around zero ([-a, a], zero = middle colour), the right choice for signed weights; true by default. False uses min..max.</summary>
    public bool SymmetricAroundZero { get; init; } = true;

    /// <summary>Colormap of grayscale-mode tiles (<see cref="Colormap.Grayscale"/> by default; <see cref="Colormap.BlueWhiteRed"/> shows the sign).</summary>
    public Colormap Colormap { get; init; } = Colormap.Grayscale;

    /// <summary>True when the layer's input channel 0 is blue (BGR models such as the ResNet18 ML.NET ships); only for RGB tiles.</summary>
    public bool InputChannelsAreBgr { get; init; }

    /// <summary>Pixels per weight (nearest neighbour); null picks the smallest factor giving tiles of at least 48 pixels.</summary>
    public int? Scale { get; init; }

    /// <summary>Gap between tiles in pixels.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Tiles per row; null: ⌈√count⌉, or one column per input channel in <see cref="FilterTileMode.PerInputChannel"/>.</summary>
    public int? Columns { get; init; }

    /// <summary>Draw at most this many filters (the first ones); null: all.</summary>
    public int? MaxFilters { get; init; } = 256;

    /// <summary>In <see cref="FilterTileMode.PerInputChannel"/>, draw at most this many input channels per filter; null: all.</summary>
    public int? MaxInputChannels { get; init; } = 16;

    /// <summary>Write the filter index under each tile ("dead" for dead filters, which also get a red frame).</summary>
    public bool ShowLabels { get; init; } = true;

    /// <summary>Write the legend (layer, tile mode, normalisation) above the grid.</summary>
    public bool ShowLegend { get; init; } = true;

    /// <summary>Text size of labels and legend, in pixels.</summary>
    public float TextSize { get; init; } = 10f;

    /// <summary>Background colour.</summary>
    public RgbColor Background { get; init; } = RgbColors.White;
}
