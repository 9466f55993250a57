
namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// Geometry and drawing of a grid of equally sized tiles, filled row by row:
/// width = columns·tileWidth + (columns + 1)·padding; height = headerHeight + rows·(tileHeight + labelHeight) + (rows + 1)·padding,
/// with columns = ⌈√count⌉ unless given and rows = ⌈count / columns⌉. Each tile's label sits in a band of labelHeight pixels under it.
/// </summary>
public sealed class ImageGrid
{
    /// <summary>Lays out <paramref name="count"/> tiles of <paramref name="tileWidth"/>×<paramref name="tileHeight"/> pixels.</summary>
    public ImageGrid(int count, int tileWidth, int tileHeight, int padding = 2, int? columns = null, int labelHeight = 0, int headerHeight = 0)
    {
        if (count <= 0) throw new CnnDiagnosticsException($"a grid of {count} tiles cannot be drawn: there must be at least one tile.");
        if (tileWidth <= 0 || tileHeight <= 0) throw new ArgumentException($"tile size {tileWidth}×{tileHeight} is not valid: width and height must be positive.");
        if (padding < 0 || labelHeight < 0 || headerHeight < 0)
            throw new ArgumentException($"padding {padding}, label height {labelHeight} and header height {headerHeight} must not be negative.");
        if (columns is <= 0) throw new ArgumentOutOfRangeException(nameof(columns), $"column count {columns} is not valid: it must be positive.");
        Count = count;
        TileWidth = tileWidth;
        TileHeight = tileHeight;
        Padding = padding;
        Columns = Math.Min(count, columns ?? (int)Math.Ceiling(Math.Sqrt(count)));
        Rows = (count + Columns - 1) / Columns;
        LabelHeight = labelHeight;
        HeaderHeight = headerHeight;
    }

    /// <summary>Number of tiles.</summary>
    public int Count { get; }

    /// <summary>Tile width in pixels.</summary>
    public int TileWidth { get; }

    /// <summary>Tile height in pixels.</summary>
    public int TileHeight { get; }

    /// <summary>Gap between tiles and around the grid, in pixels.</summary>
    public int Padding { get; }

    /// <summary>Tiles per row.</summary>
    public int Columns { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Height of the label band under each tile.</summary>
    public int LabelHeight { get; }

    /// <summary>Height of the header band above the grid (legend lines).</summary>
    public int HeaderHeight { get; }

    /// <summary>Width of the composed image.</summary>
    public int Width => Columns * TileWidth + (Columns + 1) * Padding;

    /// <summary>Height of the composed image.</summary>
    public int Height => HeaderHeight + Rows * (TileHeight + LabelHeight) + (Rows + 1) * Padding;

    /// <summary>Top-left pixel of tile <paramref name="index"/>.</summary>
    public (int X, int Y) TileOrigin(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"tile {index} does not exist: the grid has {Count} tiles.");
        int row = index / Columns, column = index % Columns;
        return (Padding + column * (TileWidth + Padding), HeaderHeight + Padding + row * (TileHeight + LabelHeight + Padding));
    }

    /// <summary>Text size (pixels) whose line fits a band of <paramref name="bandHeight"/> pixels.</summary>
    public static float TextSizeFor(int bandHeight) => bandHeight / LineHeightPerTextSize;

    /// <summary>Height in pixels of a header band holding <paramref name="lines"/> lines at <paramref name="textSize"/>.</summary>
    public static int HeaderHeightFor(int lines, float textSize) => lines <= 0 ? 0 : (int)Math.Ceiling(lines * textSize * LineHeightPerTextSize) + 2;

    /// <summary>
    /// Lays out a figure whose header holds <paramref name="legend"/> wrapped to the grid's width (no header when null) and whose
    /// tiles carry a label band when <paramref name="labels"/> is true; returns the grid and the wrapped header lines.
    /// </summary>
    public static (ImageGrid Grid, IReadOnlyList<string> Header) WithLegend(int count, int tileWidth, int tileHeight, int padding, int? columns,
        float textSize, bool labels, IReadOnlyList<string>? legend)
    {
        int labelHeight = labels ? (int)Math.Ceiling(textSize * LineHeightPerTextSize) : 0;
        var header = new List<string>();
        if (legend is not null)
        {
            int width = new ImageGrid(count, tileWidth, tileHeight, padding, columns, labelHeight).Width;
            foreach (var line in legend) header.AddRange(TextRenderer.Wrap(line, textSize, Math.Max(1, width - 2 * padding)));
        }
        return (new ImageGrid(count, tileWidth, tileHeight, padding, columns, labelHeight, HeaderHeightFor(header.Count, textSize)), header);
    }

    /// <summary>
    /// Draws the tiles (each exactly <see cref="TileWidth"/>×<see cref="TileHeight"/>), optional labels under them and optional
    /// header lines on a <paramref name="background"/> (white by default) image of <see cref="Width"/>×<see cref="Height"/>.
    /// </summary>
    public RgbImage Compose(IReadOnlyList<RgbImage> tiles, IReadOnlyList<string>? labels = null, IReadOnlyList<string>? header = null,
        RgbColor? background = null, RgbColor? textColor = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count != Count) throw new ArgumentException($"got {tiles.Count} tiles for a grid laid out for {Count}.", nameof(tiles));
        if (labels is not null && labels.Count != Count) throw new ArgumentException($"got {labels.Count} labels for {Count} tiles.", nameof(labels));
        var ink = textColor ?? RgbColors.Black;
        var image = new RgbImage(Width, Height, background ?? RgbColors.White);
        for (int i = 0; i < Count; i++)
        {
            var tile = tiles[i];
            if (tile.Width != TileWidth || tile.Height != TileHeight)
                throw new ArgumentException($"tile {i} is {tile.Width}×{tile.Height}; the grid expects {TileWidth}×{TileHeight}.", nameof(tiles));
            var (x, y) = TileOrigin(i);
            image.Draw(tile, x, y);
            if (labels is not null && LabelHeight > 0 && labels[i].Length > 0)
                TextRenderer.Draw(image, labels[i], x, y + TileHeight, TextSizeFor(LabelHeight), ink);
        }
        if (header is not null && HeaderHeight > 0)
        {
            float size = TextSizeFor((HeaderHeight - 2) / Math.Max(1, header.Count));
            int lineHeight = (int)Math.Floor(size * LineHeightPerTextSize);
            for (int l = 0; l < header.Count; l++)
                TextRenderer.Draw(image, header[l], Padding, 1 + l * lineHeight, size, ink);
        }
        return image;
    }

    // DejaVu Sans: ascent + descent ≈ 1.164 em; a little leading on top.
    private const float LineHeightPerTextSize = 1.2f;
}
