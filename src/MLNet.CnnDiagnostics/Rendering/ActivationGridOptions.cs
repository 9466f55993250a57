
namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>Choices for <see cref="ActivationMapRenderer.RenderGrid"/>.</summary>
public sealed record ActivationGridOptions
{
    /// <summary>Colormap; viridis by default.</summary>
    public Colormap Colormap { get; init; } = Colormap.Viridis;

    /// <summary>Colour scale sharing; per channel by default.</summary>
    public ActivationNormalization Normalization { get; init; } = ActivationNormalization.PerChannel;

    /// <summary>Layer name written in the legend.</summary>
    public string? LayerName { get; init; }

    /// <summary>Integer upscale factor of each map; null picks the smallest factor giving tiles of at least 48 pixels.</summary>
    public int? Scale { get; init; }

    /// <summary>Upscale with bilinear interpolation instead of nearest neighbour (which keeps each activation a visible square).</summary>
    public bool Bilinear { get; init; }

    /// <summary>Gap between tiles in pixels.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Tiles per row; null: ⌈√count⌉.</summary>
    public int? Columns { get; init; }

    /// <summary>Draw at most this many channels (the first ones); null: all.</summary>
    public int? MaxChannels { get; init; } = 256;

    /// <summary>Write the channel index under each tile.</summary>
    public bool ShowLabels { get; init; } = true;

    /// <summary>Write the legend above the grid.</summary>
    public bool ShowLegend { get; init; } = true;

    /// <summary>Attach a colour bar on the right (per-channel scaling shows 0..1 of each channel's own range).</summary>
    public bool ShowColorBar { get; init; } = true;

    /// <summary>Text size of labels and legend, in pixels.</summary>
    public float TextSize { get; init; } = 10f;

    /// <summary>Background colour.</summary>
    public RgbColor Background { get; init; } = RgbColors.White;
}
