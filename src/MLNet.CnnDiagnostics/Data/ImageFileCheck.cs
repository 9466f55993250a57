using System.Globalization;
using SkiaSharp;

namespace MLNet.CnnDiagnostics.Data;

/// <summary>
/// Checks an image file before anything decodes it: that it is a readable regular file whose header SkiaSharp recognises
/// (PNG, JPEG, BMP, GIF, WebP, ...) and whose declared size is within a pixel limit. Only the header is read
/// (<see cref="SKCodec"/> stops before the pixel data), so a small file that declares a huge image costs nothing.
/// </summary>
public static class ImageFileCheck
{
    /// <summary>
    /// The default limit on decoded pixels per image: 100 megapixels, above any camera photo in common use
    /// (a decoded image costs about 4 bytes a pixel, several times over in ML.NET's image stages).
    /// </summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>What is wrong with the file, phrased to follow its name ("is empty (0 bytes)"), or null when it can be decoded.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    public static string? Problem(string path, long maxPixels = DefaultMaxPixels)
    {
        if (FileProblem(path, maxPixels, out var length) is { } problem) return problem;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            using var codec = SKCodec.Create(stream, out var result);
            return HeaderProblem(codec, result, length, maxPixels);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message})";
        }
    }

    /// <summary>
    /// <see cref="Problem"/>, reading the file once: when it is fine, <paramref name="codec"/> is a codec over its bytes,
    /// ready to decode (the caller disposes it); otherwise null.
    /// </summary>
    internal static string? Open(string path, long maxPixels, out SKCodec? codec)
    {
        codec = null;
        if (FileProblem(path, maxPixels, out var length) is { } problem) return problem;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message})";
        }
        using var data = SKData.CreateCopy(bytes);
        var opened = SKCodec.Create(data);
        var result = SKCodecResult.Success;
        if (opened is null)
        {
            // only the stream overload says why
            using var again = SKCodec.Create(new MemoryStream(bytes, writable: false), out result);
        }
        if (HeaderProblem(opened, result, length, maxPixels) is { } bad)
        {
            opened?.Dispose();
            return bad;
        }
        codec = opened;
        return null;
    }

    // what the path alone tells: a folder, a missing or empty file (a FIFO or device reports length 0)
    private static string? FileProblem(string path, long maxPixels, out long length)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (maxPixels < 1) throw new ArgumentOutOfRangeException(nameof(maxPixels), maxPixels, "the pixel limit must be at least 1.");
        length = 0;
        if (Directory.Exists(path)) return "is a folder, not an image file";
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return "does not exist";
            // a FIFO or device (or a link to one) reports length 0: never open it, a read could block or never end
            if (info.Length == 0) return "is empty (0 bytes) or not a regular file";
            length = info.Length;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot be read ({e.Message})";
        }
    }

    private static string? HeaderProblem(SKCodec? codec, SKCodecResult result, long length, long maxPixels)
    {
        if (codec is null)
            return $"is not an image SkiaSharp can decode ({length} bytes; {Describe(result)}); expected PNG, JPEG, BMP, GIF or WebP";
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) return $"declares an empty size {width}×{height}";
        long pixels = (long)width * height;
        if (pixels > maxPixels)
            return $"declares {width}×{height} pixels ({Megapixels(pixels)} megapixels), above the limit of {Megapixels(maxPixels)} megapixels per image (raise it with MaxImagePixels / --max-pixels if it is meant)";
        return null;
    }

    /// <summary>The pixel count in megapixels with up to one decimal ("256", "0.3").</summary>
    internal static string Megapixels(long pixels) => (pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the header is truncated",
        SKCodecResult.Unimplemented => "the format is not recognised",
        SKCodecResult.InvalidInput or SKCodecResult.ErrorInInput => "the header is corrupt",
        _ => $"the header cannot be read: {result}",
    };
}
