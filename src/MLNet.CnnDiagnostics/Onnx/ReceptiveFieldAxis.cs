namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// The receptive field of a layer along one spatial axis, in input pixels: output position i sees input pixels
/// [Start + i·Jump, Start + i·Jump + Size). Start is negative where the field reaches into the padding.
/// </summary>
/// <param name="Size">Number of input pixels one output position sees.</param>
/// <param name="Jump">Distance in input pixels between neighbouring output positions (the effective stride).</param>
/// <param name="Start">First input pixel seen by output position 0.</param>
public readonly record struct ReceptiveFieldAxis(int Size, int Jump, int Start)
{
    /// <summary>The field of the input itself: each position sees one pixel.</summary>
    public static ReceptiveFieldAxis Pixel => new(1, 1, 0);

    /// <summary>First input pixel seen by output position <paramref name="position"/>.</summary>
    public int First(int position) => Start + position * Jump;

    /// <summary>One past the last input pixel seen by output position <paramref name="position"/>.</summary>
    public int End(int position) => First(position) + Size;

    /// <summary>Centre of the field of output position <paramref name="position"/>, in input pixel coordinates.</summary>
    public double Center(int position) => First(position) + (Size - 1) / 2.0;

    /// <summary>
    /// The field after a sliding window (convolution or pooling) over this tensor: the window of
    /// <paramref name="kernel"/> taps spaced <paramref name="dilation"/> apart, moving by <paramref name="stride"/>,
    /// with <paramref name="padBegin"/> padded positions before the first one (end padding does not move any field).
    /// </summary>
    public ReceptiveFieldAxis Through(int kernel, int stride, int dilation, int padBegin) =>
        new(Size + (kernel - 1) * dilation * Jump, Jump * stride, Start - padBegin * Jump);

    /// <summary>
    /// The field of a position that reads both <paramref name="a"/> and <paramref name="b"/> at the same position
    /// (residual addition, concatenation): from the lower start to the higher end. The jumps must agree.
    /// </summary>
    public static ReceptiveFieldAxis Union(ReceptiveFieldAxis a, ReceptiveFieldAxis b)
    {
        if (a.Jump != b.Jump)
            throw new CnnDiagnosticsException($"cannot join receptive fields with jumps {a.Jump} and {b.Jump}: branches that meet must step through the input alike.");
        int start = Math.Min(a.Start, b.Start);
        return new ReceptiveFieldAxis(Math.Max(a.Start + a.Size, b.Start + b.Size) - start, a.Jump, start);
    }

    /// <inheritdoc/>
    public override string ToString() => $"size {Size}, jump {Jump}, start {Start}";
}
