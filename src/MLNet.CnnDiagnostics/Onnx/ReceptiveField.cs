namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>The receptive field of one position of a 2-D layer tensor, in input pixels, along rows (Y) and columns (X).</summary>
/// <param name="Y">The field along rows.</param>
/// <param name="X">The field along columns.</param>
public sealed record ReceptiveField(ReceptiveFieldAxis Y, ReceptiveFieldAxis X)
{
    /// <summary>The field of the input itself.</summary>
    public static ReceptiveField Pixel { get; } = new(ReceptiveFieldAxis.Pixel, ReceptiveFieldAxis.Pixel);

    /// <summary>The input pixels seen by output position (<paramref name="y"/>, <paramref name="x"/>).</summary>
    public PixelRectangle Rectangle(int y, int x)
    {
        if (y < 0 || x < 0)
            throw new ArgumentOutOfRangeException(y < 0 ? nameof(y) : nameof(x), $"output position ({y}, {x}) is negative; positions start at (0, 0).");
        return new PixelRectangle(Y.First(y), X.First(x), Y.Size, X.Size);
    }

    /// <summary>The field after a sliding window with the given attributes and resolved pads (ONNX order: begins, then ends).</summary>
    public ReceptiveField Through(ConvolutionAttributes window, IReadOnlyList<int> pads)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.SpatialRank != 2)
            throw new CnnDiagnosticsException($"receptive fields are computed for 2-D windows, but this one has {window.SpatialRank} spatial axes.");
        return new ReceptiveField(
            Y.Through(window.Kernel[0], window.Strides[0], window.Dilations[0], pads[0]),
            X.Through(window.Kernel[1], window.Strides[1], window.Dilations[1], pads[1]));
    }

    /// <summary>The field of a position reading both fields at the same position (see <see cref="ReceptiveFieldAxis.Union"/>).</summary>
    public static ReceptiveField Union(ReceptiveField a, ReceptiveField b) =>
        new(ReceptiveFieldAxis.Union(a.Y, b.Y), ReceptiveFieldAxis.Union(a.X, b.X));

    /// <inheritdoc/>
    public override string ToString() => $"rows: {Y}; columns: {X}";
}
