using SkiaSharp;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// An opaque 8-bit RGB image held in managed memory (row-major, 3 bytes a pixel). All compositing happens here, so results
/// are exact and platform-independent; SkiaSharp is used only to draw text and to encode/decode PNG.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates a black image.</summary>
    public RgbImage(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"image size {width}×{height} is not valid: width and height must be positive.");
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
    }

    /// <summary>Creates an image filled with <paramref name="background"/>.</summary>
    public RgbImage(int width, int height, RgbColor background) : this(width, height) => Fill(background);

    /// <summary>Creates an image over existing RGB bytes (not copied).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * 3)
            throw new ArgumentException($"{pixels.Length} bytes do not hold a {width}×{height} RGB image ({(long)width * height * 3} bytes).", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, row-major, R G B per pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>The colour at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public RgbColor GetPixel(int x, int y)
    {
        int o = Index(x, y);
        return new RgbColor(Pixels[o], Pixels[o + 1], Pixels[o + 2]);
    }

    /// <summary>Sets the colour at column <paramref name="x"/>, row <paramref name="y"/> (alpha is ignored).</summary>
    public void SetPixel(int x, int y, RgbColor color)
    {
        int o = Index(x, y);
        Pixels[o] = color.Red;
        Pixels[o + 1] = color.Green;
        Pixels[o + 2] = color.Blue;
    }

    /// <summary>Paints the whole image with one colour.</summary>
    public void Fill(RgbColor color) => FillRectangle(0, 0, Width, Height, color);

    /// <summary>Paints a rectangle, clipped to the image.</summary>
    public void FillRectangle(int x, int y, int width, int height, RgbColor color)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + width), y1 = Math.Min(Height, y + height);
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++)
                SetPixel(xx, yy, color);
    }

    /// <summary>Draws a one-pixel rectangle outline, clipped to the image.</summary>
    public void DrawRectangle(int x, int y, int width, int height, RgbColor color)
    {
        FillRectangle(x, y, width, 1, color);
        FillRectangle(x, y + height - 1, width, 1, color);
        FillRectangle(x, y, 1, height, color);
        FillRectangle(x + width - 1, y, 1, height, color);
    }

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>), clipped.</summary>
    public void Draw(RgbImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(source);
        int sx0 = Math.Max(0, -x), sy0 = Math.Max(0, -y);
        int w = Math.Min(source.Width, Width - x) - sx0, h = Math.Min(source.Height, Height - y) - sy0;
        if (w <= 0 || h <= 0) return;
        for (int r = 0; r < h; r++)
            Array.Copy(source.Pixels, source.Index(sx0, sy0 + r), Pixels, Index(x + sx0, y + sy0 + r), w * 3);
    }

    /// <summary>Every pixel repeated <paramref name="factor"/>×<paramref name="factor"/> times (nearest neighbour), so each source pixel is a visible square.</summary>
    public RgbImage ScaleNearest(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), $"scale factor {factor} is not valid: it must be 1 or more.");
        var result = new RgbImage(Width * factor, Height * factor);
        for (int y = 0; y < result.Height; y++)
            for (int x = 0; x < result.Width; x++)
            {
                int s = Index(x / factor, y / factor), d = result.Index(x, y);
                result.Pixels[d] = Pixels[s];
                result.Pixels[d + 1] = Pixels[s + 1];
                result.Pixels[d + 2] = Pixels[s + 2];
            }
        return result;
    }

    /// <summary>(1 − alpha)·below + alpha·above per channel, rounded to the nearest level.</summary>
    public static RgbColor Blend(RgbColor below, RgbColor above, double alpha) => new(
        (byte)Math.Round(below.Red + (above.Red - below.Red) * alpha, MidpointRounding.AwayFromZero),
        (byte)Math.Round(below.Green + (above.Green - below.Green) * alpha, MidpointRounding.AwayFromZero),
        (byte)Math.Round(below.Blue + (above.Blue - below.Blue) * alpha, MidpointRounding.AwayFromZero));

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    /// <summary>Encodes the image as PNG.</summary>
    public byte[] EncodePng()
    {
        using var bitmap = ToBitmap();
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new CnnDiagnosticsException($"SkiaSharp could not encode a {Width}×{Height} image as PNG.");
        return data.ToArray();
    }

    /// <summary>Writes the image as a PNG file, creating the folder if needed.</summary>
    public void SavePng(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, EncodePng());
    }

    /// <summary>Decodes a PNG (or any format SkiaSharp reads); transparency is dropped.</summary>
    public static RgbImage DecodePng(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var bitmap = SKBitmap.Decode(encoded)
            ?? throw new CnnDiagnosticsException($"{encoded.Length} bytes are not an image SkiaSharp can decode (expected PNG).");
        return FromBitmap(bitmap);
    }

    /// <summary>A new SkiaSharp bitmap (RGBA, opaque) with the same pixels; the caller disposes it.</summary>
    internal SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var row = new byte[bitmap.RowBytes];
        IntPtr basePtr = bitmap.GetPixels();
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int s = Index(x, y);
                row[4 * x] = Pixels[s];
                row[4 * x + 1] = Pixels[s + 1];
                row[4 * x + 2] = Pixels[s + 2];
                row[4 * x + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(row, 0, basePtr + y * bitmap.RowBytes, row.Length);
        }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }

    /// <summary>Copies a SkiaSharp bitmap of any colour type; transparency is dropped (colours are taken unpremultiplied).</summary>
    internal static RgbImage FromBitmap(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        var image = new RgbImage(bitmap.Width, bitmap.Height);
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                image.SetPixel(x, y, RgbColor.FromSkia(bitmap.GetPixel(x, y)));
        return image;
    }

    /// <summary>
    /// Turns a network input back into a viewable picture: a [3, H, W] or [1, 3, H, W] tensor (or one channel, shown grey)
    /// whose values were normalised as (pixel − mean[c]) / std[c]. Each value becomes v·std[c] + mean[c], read on a scale where
    /// <paramref name="maxValue"/> is full brightness (255 for ML.NET's ExtractPixels, 1 for torchvision-style inputs).
    /// <paramref name="channelsAreBgr"/> says the tensor's channel 0 is blue (as for the ResNet18 that ML.NET ships).
    /// Empty <paramref name="mean"/>/<paramref name="std"/> mean 0 and 1.
    /// </summary>
    public static RgbImage FromChw(FloatTensor chw, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, float maxValue = 255f, bool channelsAreBgr = false)
    {
        ArgumentNullException.ThrowIfNull(chw);
        int[] s = chw.Rank == 4 && chw.Shape[0] == 1 ? chw.Shape[1..] : chw.Shape;
        if (s.Length != 3 || (s[0] != 3 && s[0] != 1) || s[1] == 0 || s[2] == 0)
            throw new CnnDiagnosticsException($"tensor of shape [{string.Join(",", chw.Shape)}] is not an image: expected [3,H,W], [1,3,H,W] or [1,H,W].");
        int channels = s[0], h = s[1], w = s[2];
        if ((mean.Length != 0 && mean.Length != channels) || (std.Length != 0 && std.Length != channels))
            throw new ArgumentException($"mean has {mean.Length} and std has {std.Length} values; expected {channels} each (or none).");
        if (!(maxValue > 0) || !float.IsFinite(maxValue))
            throw new ArgumentOutOfRangeException(nameof(maxValue), $"full-brightness value {maxValue} is not valid: it must be a positive number.");
        var image = new RgbImage(w, h);
        int plane = h * w;
        for (int c = 0; c < 3; c++)
        {
            int src = channels == 1 ? 0 : channelsAreBgr ? 2 - c : c;
            float m = mean.Length == 0 ? 0f : mean[src], sd = std.Length == 0 ? 1f : std[src];
            for (int i = 0; i < plane; i++)
            {
                float v = chw.Data[src * plane + i];
                if (float.IsNaN(v)) throw new CnnDiagnosticsException($"image tensor holds NaN at channel {src}, pixel {i}: cannot display it.");
                double level = (v * sd + m) / maxValue * 255.0;
                image.Pixels[i * 3 + c] = (byte)Math.Clamp(Math.Round(level, MidpointRounding.AwayFromZero), 0, 255);
            }
        }
        return image;
    }

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}×{Height} image.");
        return (y * Width + x) * 3;
    }
}
