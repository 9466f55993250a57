using System.Reflection;
using SkiaSharp;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// Draws labels with DejaVu Sans, shipped inside the library as an embedded resource (Bitstream Vera licence, see
/// Rendering/Fonts/DejaVuSans-LICENSE.txt), so text looks the same on every machine, including one with no fonts installed.
/// </summary>
public static class TextRenderer
{
    internal const string FontResourceName = "MLNet.CnnDiagnostics.Rendering.Fonts.DejaVuSans.ttf";

    private static readonly Lazy<SKTypeface> LazyTypeface = new(LoadTypeface);

    /// <summary>The embedded DejaVu Sans typeface.</summary>
    internal static SKTypeface Typeface => LazyTypeface.Value;

    /// <summary>Width and height in pixels of <paramref name="text"/> at <paramref name="size"/> pixels (height = ascent + descent).</summary>
    public static (int Width, int Height) Measure(string text, float size)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var paint = CreatePaint(size);
        var metrics = paint.FontMetrics;
        return ((int)Math.Ceiling(paint.MeasureText(text)), (int)Math.Ceiling(metrics.Descent - metrics.Ascent));
    }

    /// <summary>Splits <paramref name="text"/> at spaces into lines no wider than <paramref name="maxWidth"/> pixels (a single long word stays whole).</summary>
    public static IReadOnlyList<string> Wrap(string text, float size, int maxWidth)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<string>();
        string current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && Measure(candidate, size).Width > maxWidth)
            {
                lines.Add(current);
                current = word;
            }
            else current = candidate;
        }
        if (current.Length > 0) lines.Add(current);
        return lines;
    }

    /// <summary>
    /// Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>), anti-aliased and
    /// alpha-blended onto <paramref name="image"/>; parts outside the image are clipped.
    /// </summary>
    public static void Draw(RgbImage image, string text, int x, int y, float size, RgbColor color)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return;
        using var paint = CreatePaint(size);
        paint.Color = SKColors.Black;
        var metrics = paint.FontMetrics;
        int w = Math.Max(1, (int)Math.Ceiling(paint.MeasureText(text)) + 1), h = Math.Max(1, (int)Math.Ceiling(metrics.Descent - metrics.Ascent));
        // Skia renders glyph coverage into an alpha mask; the blend onto RGB happens here, in managed code.
        using var mask = new SKBitmap(new SKImageInfo(w, h, SKColorType.Alpha8, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(mask))
        {
            canvas.Clear(SKColors.Transparent);
            canvas.DrawText(text, 0, -metrics.Ascent, paint);
        }
        var coverage = mask.Bytes;
        int rowBytes = mask.RowBytes;
        for (int my = 0; my < h; my++)
        {
            int py = y + my;
            if ((uint)py >= (uint)image.Height) continue;
            for (int mx = 0; mx < w; mx++)
            {
                int px = x + mx;
                byte a = coverage[my * rowBytes + mx];
                if (a == 0 || (uint)px >= (uint)image.Width) continue;
                image.SetPixel(px, py, RgbImage.Blend(image.GetPixel(px, py), color, a / 255.0));
            }
        }
    }

    private static SKPaint CreatePaint(float size)
    {
        if (!(size > 0) || !float.IsFinite(size))
            throw new ArgumentOutOfRangeException(nameof(size), $"text size {size} is not valid: it must be a positive number of pixels.");
        return new SKPaint { Typeface = Typeface, TextSize = size, IsAntialias = true, SubpixelText = true };
    }

    private static SKTypeface LoadTypeface()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(FontResourceName)
            ?? throw new CnnDiagnosticsException($"embedded font resource '{FontResourceName}' is missing from the library.");
        return SKTypeface.FromStream(stream)
            ?? throw new CnnDiagnosticsException($"embedded font resource '{FontResourceName}' could not be read as a typeface.");
    }
}
