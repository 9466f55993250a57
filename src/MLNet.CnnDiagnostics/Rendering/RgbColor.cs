using SkiaSharp;

namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// An opaque 8-bit RGB colour: the colour type of every public rendering API, so callers need no imaging library
/// (SkiaSharp stays an implementation detail of text drawing and PNG encoding).
/// </summary>
/// <param name="Red">Red level, 0–255.</param>
/// <param name="Green">Green level, 0–255.</param>
/// <param name="Blue">Blue level, 0–255.</param>
public readonly record struct RgbColor(byte Red, byte Green, byte Blue)
{
    /// <summary>Reads "#RRGGBB" or "RRGGBB" (hexadecimal, either case), as CSS and matplotlib write colours.</summary>
    public static RgbColor Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith('#') ? hex.AsSpan(1) : hex.AsSpan();
        if (digits.Length != 6 || !uint.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out uint rgb))
            throw new FormatException($"colour '{hex}' is not valid: expected six hexadecimal digits such as #21918C.");
        return new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
    }

    /// <summary>The colour as "#RRGGBB".</summary>
    public override string ToString() => $"#{Red:X2}{Green:X2}{Blue:X2}";

    internal SKColor ToSkia() => new(Red, Green, Blue);

    /// <summary>Drops alpha: the colour channels as stored (unpremultiplied).</summary>
    internal static RgbColor FromSkia(SKColor color) => new(color.Red, color.Green, color.Blue);
}

/// <summary>Named colours for <see cref="RgbColor"/>, with the values of the CSS colours of the same names.</summary>
public static class RgbColors
{
    /// <summary>#FFFFFF.</summary>
    public static RgbColor White { get; } = new(255, 255, 255);

    /// <summary>#000000.</summary>
    public static RgbColor Black { get; } = new(0, 0, 0);

    /// <summary>#FF0000.</summary>
    public static RgbColor Red { get; } = new(255, 0, 0);

    /// <summary>#00FF00.</summary>
    public static RgbColor Lime { get; } = new(0, 255, 0);

    /// <summary>#0000FF.</summary>
    public static RgbColor Blue { get; } = new(0, 0, 255);
}
