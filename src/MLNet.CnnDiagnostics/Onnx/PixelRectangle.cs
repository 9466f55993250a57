namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>A rectangle of input pixels; Top and Left may be negative and Bottom/Right may pass the image where a field reaches into the padding.</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Number of rows.</param>
/// <param name="Width">Number of columns.</param>
public readonly record struct PixelRectangle(int Top, int Left, int Height, int Width)
{
    /// <summary>One past the last row.</summary>
    public int Bottom => Top + Height;

    /// <summary>One past the last column.</summary>
    public int Right => Left + Width;

    /// <summary>True when the rectangle shares at least one pixel with an image of the given size.</summary>
    public bool Overlaps(int imageHeight, int imageWidth) => Top < imageHeight && Bottom > 0 && Left < imageWidth && Right > 0;

    /// <summary>The part inside an image of the given size (possibly empty).</summary>
    public PixelRectangle ClipTo(int imageHeight, int imageWidth)
    {
        int top = Math.Clamp(Top, 0, imageHeight), left = Math.Clamp(Left, 0, imageWidth);
        return new PixelRectangle(top, left, Math.Clamp(Bottom, 0, imageHeight) - top, Math.Clamp(Right, 0, imageWidth) - left);
    }

    /// <inheritdoc/>
    public override string ToString() => $"rows [{Top}, {Bottom}) × columns [{Left}, {Right})";
}
