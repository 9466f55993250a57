namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>Choices for <see cref="ActivationMapRenderer.RenderOverlay"/>.</summary>
public sealed record OverlayOptions
{
    /// <summary>Colormap; viridis by default.</summary>
    public Colormap Colormap { get; init; } = Colormap.Viridis;

    /// <summary>Weight of the heatmap in the blend (0 = picture only, 1 = heatmap only); 0.5 by default.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Colour range; null: the map's min..max (±max|v| for a diverging colormap).</summary>
    public ValueRange? Range { get; init; }

    /// <summary>Attach a colour bar on the right.</summary>
    public bool ShowColorBar { get; init; }
}
