namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>A rendered grid figure: the image, the geometry of its tiles (tile i starts at <c>Grid.TileOrigin(i)</c>), and its legend lines.</summary>
/// <param name="Image">The picture (grid, header and, when asked, a colour bar on the right).</param>
/// <param name="Grid">Tile geometry; the colour bar, if any, lies to the right of <see cref="ImageGrid.Width"/>.</param>
/// <param name="Legend">What the figure shows and how values were normalised, as drawn in the header (also usable as a caption).</param>
public sealed record RenderedGrid(RgbImage Image, ImageGrid Grid, IReadOnlyList<string> Legend);
