using SkiaSharp;

namespace MLNet.CnnDiagnostics.Data;

/// <summary>
/// Decodes one image file into a model input (planar 0..255 floats, [C, H, W]) with SkiaSharp directly, doing what ML.NET's
/// LoadImages → (ConvertToGrayscale) → ResizeImages (iso-crop, centred) → ExtractPixels (planar; red or RGB) do with the same
/// SkiaSharp calls, without the data-view machinery around them (which costs more than decoding a small image). The
/// result equals that pipeline's (tests compare them value for value).
/// </summary>
internal static class ImagePixels
{
    // ML.NET's grey: R = G = B = 0.3 R + 0.59 G + 0.11 B, drawn through this colour matrix
    private static readonly SKColorFilter Grey = SKColorFilter.CreateColorMatrix(
    [
        0.3f, 0.59f, 0.11f, 0, 0,
        0.3f, 0.59f, 0.11f, 0, 0,
        0.3f, 0.59f, 0.11f, 0, 0,
        0, 0, 0, 1, 0,
    ]);

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="target"/> (length <paramref name="channels"/> × <paramref name="height"/> ×
    /// <paramref name="width"/>; one channel: grey), reading the file once. Returns what is wrong with the file
    /// (<see cref="ImageFileCheck.Problem"/>'s words) or null when it was decoded.
    /// </summary>
    public static string? Load(string path, long maxPixels, int channels, int height, int width, Span<float> target)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images give 1 (grey) or 3 (RGB) channels.");
        if (target.Length != channels * height * width)
            throw new ArgumentException($"the target holds {target.Length} values, not {channels}×{height}×{width}.", nameof(target));
        if (ImageFileCheck.Open(path, maxPixels, out var codec) is { } problem) return problem;
        using (codec)
        {
            var image = SKBitmap.Decode(codec!);
            if (image is null) return "cannot be decoded although its header is valid (the image data is corrupt or truncated)";
            try
            {
                if (channels == 1 && image.ColorType == SKColorType.Gray8 && image.Width == width && image.Height == height)
                {
                    // a grey file at the model's size: ML.NET's grey of a grey pixel is the pixel (tested on all 256 levels)
                    Copy(image, target);
                    return null;
                }
                if (image.ColorType is not (SKColorType.Bgra8888 or SKColorType.Rgba8888))
                    Replace(ref image, image.Copy(SKColorType.Bgra8888) ?? throw new InvalidOperationException($"'{path}' has an unsupported pixel format ({image.ColorType})"));
                if (channels == 1) Replace(ref image, Greyed(image));
                if (image.Width != width || image.Height != height) Replace(ref image, Resized(image, width, height));
                Extract(image, channels, target);
                return null;
            }
            finally
            {
                image.Dispose();
            }
        }
    }

    private static void Copy(SKBitmap grey, Span<float> target)
    {
        ReadOnlySpan<byte> pixels = grey.GetPixelSpan();
        int width = grey.Width;
        for (int y = 0; y < grey.Height; y++)
            System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(pixels.Slice(y * grey.RowBytes, width), target.Slice(y * width, width));
    }

    private static void Replace(ref SKBitmap image, SKBitmap next)
    {
        image.Dispose();
        image = next;
    }

    private static SKBitmap Greyed(SKBitmap image)
    {
        var grey = new SKBitmap(image.Width, image.Height, isOpaque: true);
        using var canvas = new SKCanvas(grey);
        using var paint = new SKPaint { ColorFilter = Grey, FilterQuality = SKFilterQuality.High };
        canvas.DrawBitmap(image, 0f, 0f, paint);
        return grey;
    }

    // ResizeImages' default: scaled to cover the target, centred, cropped (its float arithmetic, as it does it)
    private static SKBitmap Resized(SKBitmap image, int width, int height)
    {
        float widthAspect = (float)width / image.Width, heightAspect = (float)height / image.Height, aspect;
        int x = 0, y = 0;
        if (heightAspect < widthAspect)
        {
            aspect = widthAspect;
            y = (int)((height - (image.Height * aspect)) / 2);
        }
        else
        {
            aspect = heightAspect;
            x = (int)((width - (image.Width * aspect)) / 2);
        }
        int w = (int)(image.Width * aspect), h = (int)(image.Height * aspect);
        var resized = new SKBitmap(width, height, isOpaque: true);
        using var canvas = new SKCanvas(resized);
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High };
        canvas.DrawBitmap(image, new SKRect(0, 0, image.Width, image.Height), new SKRect(x, y, x + w, y + h), paint);
        return resized;
    }

    private static void Extract(SKBitmap image, int channels, Span<float> target)
    {
        int width = image.Width, height = image.Height, plane = width * height, rowBytes = image.RowBytes;
        bool rgba = image.ColorType == SKColorType.Rgba8888;
        int red = rgba ? 0 : 2, blue = rgba ? 2 : 0;
        ReadOnlySpan<byte> pixels = image.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * rowBytes, width * 4);
            int at = y * width;
            for (int x = 0; x < width; x++)
            {
                target[at + x] = row[4 * x + red];
                if (channels == 3)
                {
                    target[plane + at + x] = row[4 * x + 1];
                    target[2 * plane + at + x] = row[4 * x + blue];
                }
            }
        }
    }
}
