namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// The interval of data values that a colormap spans: <see cref="Min"/> maps to the first colour, <see cref="Max"/> to the last.
/// </summary>
public readonly record struct ValueRange
{
    /// <summary>Creates a range; both ends must be finite and <paramref name="min"/> ≤ <paramref name="max"/>.</summary>
    public ValueRange(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
            throw new ArgumentException($"value range [{min}, {max}] is not valid: both ends must be finite numbers with min <= max.");
        Min = min;
        Max = max;
    }

    /// <summary>Value shown with the first colour of the map.</summary>
    public double Min { get; }

    /// <summary>Value shown with the last colour of the map.</summary>
    public double Max { get; }

    /// <summary>True for a range centred on zero (built by <see cref="SymmetricOf"/>), where zero is the map's middle colour.</summary>
    public bool IsSymmetric => Min == -Max;

    /// <summary>The smallest and largest value of <paramref name="values"/> (NaN values are rejected).</summary>
    public static ValueRange Of(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("cannot take the value range of zero values.", nameof(values));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) throw new CnnDiagnosticsException($"cannot colour the value {v}: every value must be a finite number.");
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return new ValueRange(min, max);
    }

    /// <summary>[-a, a] with a the largest absolute value, so that zero lands on the middle colour (signed data such as weights).</summary>
    public static ValueRange SymmetricOf(ReadOnlySpan<float> values)
    {
        var r = Of(values);
        double a = Math.Max(Math.Abs(r.Min), Math.Abs(r.Max));
        return new ValueRange(-a, a);
    }

    /// <summary>The union of two ranges (for normalising several maps together).</summary>
    public ValueRange Union(ValueRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));

    /// <summary>
    /// Position of <paramref name="value"/> in the range, clamped to [0, 1]. An empty range (Min == Max) maps every value to 0.5,
    /// the middle colour, so that a constant map looks constant instead of taking an arbitrary end.
    /// </summary>
    public double Normalize(double value)
    {
        if (Max <= Min) return 0.5;
        double t = (value - Min) / (Max - Min);
        return t < 0 ? 0 : t > 1 ? 1 : t;
    }

    /// <summary>The 8-bit level (0..255) of <paramref name="value"/>: floor(t·256) capped at 255, matplotlib's lookup rule.</summary>
    public int ToLevel(double value) => Colormap.Level(Normalize(value));

    /// <inheritdoc/>
    public override string ToString() => IsSymmetric ? $"±{Max:G3}" : $"[{Min:G3}, {Max:G3}]";
}
