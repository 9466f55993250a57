namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// One activation of a unit at one position of one image. Hits rank by value (highest first), then image id,
/// row and column (lowest first), so every set of hits has exactly one order and a top-k is reproducible.
/// </summary>
/// <param name="Value">The activation value.</param>
/// <param name="ImageId">The caller's id of the image.</param>
/// <param name="Y">Row of the position in the layer's activation map.</param>
/// <param name="X">Column of the position in the layer's activation map.</param>
public readonly record struct ActivationHit(float Value, long ImageId, int Y, int X) : IComparable<ActivationHit>
{
    /// <summary>Negative when this hit ranks before <paramref name="other"/> (higher value, or equal value and smaller image id, row, column).</summary>
    public int CompareTo(ActivationHit other)
    {
        int c = other.Value.CompareTo(Value);
        if (c != 0) return c;
        c = ImageId.CompareTo(other.ImageId);
        if (c != 0) return c;
        c = Y.CompareTo(other.Y);
        return c != 0 ? c : X.CompareTo(other.X);
    }
}
