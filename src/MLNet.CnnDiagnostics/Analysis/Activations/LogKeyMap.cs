using System.Collections.Concurrent;

namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// The bucket key of a <see cref="QuantileSketch"/>: for a finite magnitude x ≥ <see cref="QuantileSketch.MinMagnitude"/>, the
/// smallest i with x ≤ γ^i, so x lies in bucket (γ^(i−1), γ^i]. Computed without a logarithm: the float's exponent and top
/// 7 mantissa bits pick a cell (relative width 2^−7 ≈ 0.78%, narrower than a bucket for α ≥ 0.004), whose key at its low
/// end is tabulated; a cell holds at most one bucket boundary, so one comparison with that boundary settles the key.
/// The tables are built once per α and shared.
/// </summary>
internal sealed class LogKeyMap
{
    private const int CellBits = 7;                   // mantissa bits that select a cell within an octave
    private const int CellShift = 23 - CellBits;      // float bits >> CellShift = exponent·2^7 + top mantissa bits
    private const int Cells = 1 << (8 + CellBits);     // every positive float, infinity and NaN included

    /// <summary>Narrowest bucket a cell may be no wider than: ln(1 + 2^−7).</summary>
    internal static readonly double CellLogWidth = Math.Log(1 + 1.0 / (1 << CellBits));

    private static readonly ConcurrentDictionary<double, LogKeyMap> Maps = new();

    private readonly int[] _cellKey;       // key of each cell's lowest value
    private readonly double[] _upper;      // γ^i for i = _lowest .. _lowest + length − 1
    private readonly int[] _upperBits;     // bits of the largest float ≤ γ^i: x > γ^i ⇔ bits(x) > _upperBits[i − _lowest]
    private readonly int _lowest;

    /// <summary>Bits of the smallest float counted in a bucket (greater than <see cref="QuantileSketch.MinMagnitude"/>).</summary>
    internal static readonly int SmallestCountedBits = BitConverter.SingleToInt32Bits(SmallestAbove(QuantileSketch.MinMagnitude));

    /// <summary>Bits of +∞.</summary>
    internal const int InfinityBits = 0x7F800000;

    private LogKeyMap(double gamma)
    {
        double logGamma = Math.Log(gamma);
        // keys of the smallest and largest magnitudes counted (MinMagnitude .. float.MaxValue), with a margin of two
        _lowest = (int)Math.Floor(Math.Log(QuantileSketch.MinMagnitude) / logGamma) - 2;
        int highest = (int)Math.Ceiling(Math.Log(float.MaxValue) / logGamma) + 2;
        _upper = new double[highest - _lowest + 1];
        for (int i = 0; i < _upper.Length; i++) _upper[i] = Math.Pow(gamma, _lowest + i);
        _upperBits = _upper.Select(u => BitConverter.SingleToInt32Bits(MathF.BitDecrement(SmallestAbove(u)))).ToArray();
        _cellKey = new int[Cells];
        for (int cell = 0; cell < Cells; cell++)
        {
            float low = BitConverter.Int32BitsToSingle(cell << CellShift);
            _cellKey[cell] = !float.IsFinite(low) ? highest : low > 0 ? Exact(low) : _lowest;
        }
    }

    /// <summary>The map for buckets of ratio <paramref name="gamma"/>; it must not be finer than a cell (γ ≥ 1 + 2^−7).</summary>
    public static LogKeyMap For(double gamma) => Maps.GetOrAdd(gamma, g => new LogKeyMap(g));

    /// <summary>True when buckets of ratio <paramref name="gamma"/> are wide enough for the cell lookup.</summary>
    public static bool Supports(double gamma) => Math.Log(gamma) > CellLogWidth;

    /// <summary>The key of a finite magnitude in (MinMagnitude, float.MaxValue]: <see cref="KeyOfBits"/> of its bits.</summary>
    public int Key(float magnitude) => KeyOfBits(BitConverter.SingleToInt32Bits(magnitude));

    /// <summary>
    /// The key of a finite positive float given by its bits (at least <see cref="SmallestCountedBits"/>, below
    /// <see cref="InfinityBits"/>): integer work only, with no branch on the data.
    /// </summary>
    public int KeyOfBits(int bits)
    {
        int key = _cellKey[bits >> CellShift];
        return key + (int)((uint)(_upperBits[key - _lowest] - bits) >> 31);
    }

    /// <summary>
    /// Replaces each float's bits in <paramref name="bits"/> (as <see cref="KeyOfBits"/> takes them) by its key, or by the
    /// key's negation when <paramref name="negate"/> (the negative store's index).
    /// </summary>
    public void KeysOfBits(Span<int> bits, bool negate)
    {
        int sign = negate ? -1 : 1;
        for (int i = 0; i < bits.Length; i++) bits[i] = sign * KeyOfBits(bits[i]);
    }

    // the smallest float greater than a positive double
    private static float SmallestAbove(double value)
    {
        float f = (float)value;
        return f > value ? f : MathF.BitIncrement(f);
    }

    // the definition itself, by search over the boundary table: used to build the cells
    private int Exact(float magnitude)
    {
        int lo = 0, hi = _upper.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (magnitude <= _upper[mid]) hi = mid;
            else lo = mid + 1;
        }
        return _lowest + lo;
    }
}
