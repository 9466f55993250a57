
namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// A vertical colour bar (largest value at the top) with the range's ends and middle written beside it, and a way to
/// attach one to the right of an image.
/// </summary>
public static class ColorBar
{
    /// <summary>Width in pixels of the coloured strip.</summary>
    public const int StripWidth = 12;

    /// <summary>
    /// A bar <paramref name="height"/> pixels tall: strip row r (0 at the top) shows t = 1 − r/(height − 1) of the map;
    /// labels (text size <paramref name="textSize"/>) give the values of the top, middle and bottom rows.
    /// </summary>
    public static RgbImage Render(Colormap colormap, ValueRange range, int height, float textSize = 10f, RgbColor? background = null)
    {
        ArgumentNullException.ThrowIfNull(colormap);
        if (height < 2) throw new ArgumentOutOfRangeException(nameof(height), $"colour bar height {height} is too small: it must be at least 2 pixels.");
        string[] labels = [Format(range.Max), Format((range.Min + range.Max) / 2), Format(range.Min)];
        int labelWidth = labels.Max(l => TextRenderer.Measure(l, textSize).Width);
        int textHeight = TextRenderer.Measure("0", textSize).Height;
        int top = textHeight / 2, stripHeight = height - 2 * top;
        if (stripHeight < 2) throw new ArgumentOutOfRangeException(nameof(height), $"colour bar height {height} leaves no room for the strip at text size {textSize}.");
        var bar = new RgbImage(StripWidth + 4 + labelWidth + 2, height, background ?? RgbColors.White);
        for (int r = 0; r < stripHeight; r++)
            bar.FillRectangle(0, top + r, StripWidth, 1, colormap.Map(1 - (double)r / (stripHeight - 1)));
        var ink = RgbColors.Black;
        TextRenderer.Draw(bar, labels[0], StripWidth + 4, 0, textSize, ink);
        TextRenderer.Draw(bar, labels[1], StripWidth + 4, top + stripHeight / 2 - textHeight / 2, textSize, ink);
        TextRenderer.Draw(bar, labels[2], StripWidth + 4, height - textHeight, textSize, ink);
        return bar;
    }

    /// <summary>A new image: <paramref name="image"/> with a colour bar of the same height to its right, <paramref name="gap"/> pixels apart.</summary>
    public static RgbImage Attach(RgbImage image, Colormap colormap, ValueRange range, int gap = 6, float textSize = 10f, RgbColor? background = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var fill = background ?? RgbColors.White;
        var bar = Render(colormap, range, Math.Max(image.Height, 3 * TextRenderer.Measure("0", textSize).Height), textSize, fill);
        var result = new RgbImage(image.Width + gap + bar.Width, Math.Max(image.Height, bar.Height), fill);
        result.Draw(image, 0, 0);
        result.Draw(bar, image.Width + gap, 0);
        return result;
    }

    private static string Format(double v) => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
}
