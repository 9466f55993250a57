using System.Numerics;
using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// A mergeable streaming quantile sketch with relative value accuracy (the DDSketch of Masson, Rim and Lee, VLDB 2019):
/// values are counted in logarithmic buckets (γ^(i−1), γ^i] with γ = (1+α)/(1−α), separately for positive and negative
/// values, plus a bucket for values with |x| &lt; <see cref="MinMagnitude"/>.
/// <para>
/// Error bound: for any p, <see cref="Quantile"/> returns a value q̂ with |q̂ − q| ≤ α·|q|, where q is the exact
/// quantile (the value of ascending rank ⌈p·n⌉−1), as long as q lies within <see cref="MaxBuckets"/> buckets of the largest
/// magnitude of its sign (a factor γ^MaxBuckets ≈ 10^17 for the defaults) and |q| ≥ <see cref="MinMagnitude"/>;
/// below that the absolute error is at most <see cref="MinMagnitude"/>. Memory is at most 2·MaxBuckets counts.
/// </para>
/// Merging is exact: the merged sketch equals the sketch of all values fed to either part.
/// </summary>
public sealed class QuantileSketch
{
    /// <summary>Magnitudes below this are counted as zero.</summary>
    public const double MinMagnitude = 1e-30;

    private readonly double _gamma;
    private readonly double _inverseLogGamma;
    private readonly LogKeyMap? _keys;     // the logarithm-free key, for α ≥ 0.004 (buckets wider than its cells)
    private readonly LogBucketStore _positive;
    private readonly LogBucketStore _negative; // indexed by −key(|x|), so a higher index is a higher value

    /// <summary>Creates an empty sketch with relative accuracy <paramref name="relativeAccuracy"/> (α) and at most <paramref name="maxBuckets"/> buckets per sign.</summary>
    public QuantileSketch(double relativeAccuracy = 0.005, int maxBuckets = 4096)
    {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, $"relative accuracy {relativeAccuracy} must lie strictly between 0 and 1 (e.g. 0.005 for 0.5%).");
        if (maxBuckets < 16)
            throw new ArgumentOutOfRangeException(nameof(maxBuckets), maxBuckets, $"maxBuckets is {maxBuckets}; use at least 16.");
        RelativeAccuracy = relativeAccuracy;
        MaxBuckets = maxBuckets;
        _gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        _inverseLogGamma = 1 / Math.Log(_gamma);
        _keys = LogKeyMap.Supports(_gamma) ? LogKeyMap.For(_gamma) : null;
        _positive = new LogBucketStore(maxBuckets);
        _negative = new LogBucketStore(maxBuckets);
    }

    /// <summary>The relative accuracy α of the returned quantiles.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>Most buckets kept per sign before the smallest-valued ones are folded together.</summary>
    public int MaxBuckets { get; }

    /// <summary>Number of values added.</summary>
    public long Count { get; private set; }

    /// <summary>Number of values with magnitude below <see cref="MinMagnitude"/>.</summary>
    public long ZeroCount { get; private set; }

    /// <summary>Smallest value added (+∞ when empty).</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>Largest value added (−∞ when empty).</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Adds one value; NaN is rejected.</summary>
    public void Add(float value)
    {
        if (float.IsNaN(value)) throw new ArgumentException("cannot add NaN to a quantile sketch; values must be numbers or ±infinity.", nameof(value));
        AddUnchecked(value);
    }

    internal void AddUnchecked(float value)
    {
        if (value == 0) value = 0f; // −0 counts as +0, so Min and Max do not depend on which zero came first
        Count1(value);
        Count++;
        if (value < Min) Min = value;
        if (value > Max) Max = value;
    }

    /// <summary>
    /// Adds values known not to be NaN: the same state as <see cref="AddUnchecked"/> on each in turn, with the minimum and
    /// maximum taken once for the span.
    /// </summary>
    internal void AddRangeUnchecked(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return;
        float low = System.Numerics.Tensors.TensorPrimitives.Min(values), high = System.Numerics.Tensors.TensorPrimitives.Max(values);
        // without NaN, an infinity is there exactly when it is the minimum or the maximum
        if (_keys is { } keys && float.IsFinite(low) && float.IsFinite(high)) FoldFinite(values, keys);
        else
            foreach (float value in values) Count1(value);
        Count += values.Length;
        // a zero of either sign counts as +0 (as in AddUnchecked)
        if (low == 0) low = 0f;
        if (high == 0) high = 0f;
        if (low < Min) Min = low;
        if (high > Max) Max = high;
    }

    /// <summary>
    /// Counts finite values through the logarithm-free keys, a chunk at a time. Eight values at a time, those below
    /// <see cref="MinMagnitude"/> (the zeros of a ReLU map, most of it) are counted with one population count; the others
    /// are gathered by sign, keyed in a loop without branches and counted into their store in one call. The buckets end as
    /// value-by-value <see cref="Count1"/> leaves them, since a bucket store depends only on the multiset of keys added.
    /// </summary>
    private void FoldFinite(ReadOnlySpan<float> values, LogKeyMap keys)
    {
        int chunkLength = Math.Min(512, values.Length);
        Span<int> positive = stackalloc int[chunkLength], negative = stackalloc int[chunkLength];
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(values);
        long zeros = 0;
        for (int start = 0; start < bits.Length; start += chunkLength)
        {
            var chunk = bits.Slice(start, Math.Min(chunkLength, bits.Length - start));
            int p = 0, n = 0, i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var smallest = Vector256.Create(LogKeyMap.SmallestCountedBits);
                var magnitudeMask = Vector256.Create(int.MaxValue);
                ref int first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(chunk);
                for (; i <= chunk.Length - Vector256<int>.Count; i += Vector256<int>.Count)
                {
                    uint small = Vector256.LessThan(Vector256.LoadUnsafe(ref first, (nuint)i) & magnitudeMask, smallest).ExtractMostSignificantBits();
                    zeros += BitOperations.PopCount(small);
                    for (uint rest = ~small & 0xFFu; rest != 0; rest &= rest - 1)
                    {
                        int b = chunk[i + BitOperations.TrailingZeroCount(rest)];
                        if (b >= 0) positive[p++] = b;
                        else negative[n++] = b & int.MaxValue;
                    }
                }
            }
            for (; i < chunk.Length; i++)
            {
                int b = chunk[i];
                if ((b & int.MaxValue) < LogKeyMap.SmallestCountedBits) zeros++;
                else if (b >= 0) positive[p++] = b;
                else negative[n++] = b & int.MaxValue;
            }
            if (p > 0)
            {
                var some = positive[..p];
                keys.KeysOfBits(some, negate: false);
                _positive.AddKeys(some);
            }
            if (n > 0)
            {
                var some = negative[..n];
                keys.KeysOfBits(some, negate: true);
                _negative.AddKeys(some);
            }
        }
        ZeroCount += zeros;
    }

    private void Count1(float value)
    {
        if (value > MinMagnitude) _positive.AddOne(Key(value));
        else if (value < -MinMagnitude) _negative.AddOne(-Key(-value));
        else ZeroCount++;
    }

    /// <summary>Adds every value of <paramref name="other"/>; afterwards this equals the sketch of both streams.</summary>
    public void Merge(QuantileSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy || other.MaxBuckets != MaxBuckets)
            throw new ArgumentException($"cannot merge a sketch with α = {other.RelativeAccuracy}, {other.MaxBuckets} buckets into one with α = {RelativeAccuracy}, {MaxBuckets} buckets; both must match.", nameof(other));
        _positive.AddAll(other._positive);
        _negative.AddAll(other._negative);
        ZeroCount += other.ZeroCount;
        Count += other.Count;
        if (other.Min < Min) Min = other.Min;
        if (other.Max > Max) Max = other.Max;
    }

    /// <summary>
    /// The p-quantile: an estimate of the value of ascending rank ⌈p·n⌉−1 (rank 0 for p = 0), within the relative error
    /// bound described on the class. For a unit's top-0.5% threshold use p = 0.995.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The sketch is empty.</exception>
    public float Quantile(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, $"quantile level {p} must lie in [0, 1].");
        if (Count == 0) throw new CnnDiagnosticsException("the quantile sketch holds no values (empty dataset); add values before asking for a quantile.");
        long rank = Math.Max(0, (long)Math.Ceiling(p * Count) - 1);
        return Math.Clamp(ValueAtRank(rank), Min, Max);
    }

    /// <summary>Writes the sketch's state so another process can merge it.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(RelativeAccuracy);
        writer.Write(MaxBuckets);
        writer.Write(Count);
        writer.Write(Min);
        writer.Write(Max);
        var buckets = Buckets().ToList();
        writer.Write(buckets.Count);
        foreach (var (sign, index, count) in buckets)
        {
            writer.Write((sbyte)sign);
            writer.Write(index);
            writer.Write(count);
        }
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="CnnDiagnosticsException">The data is not a valid sketch state.</exception>
    public static QuantileSketch ReadFrom(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            double alpha = reader.ReadDouble();
            int maxBuckets = reader.ReadInt32();
            if (!(alpha > 0 && alpha < 1) || maxBuckets < 16 || maxBuckets > 1 << 24)
                throw new CnnDiagnosticsException($"the data does not hold a quantile sketch: α = {alpha}, {maxBuckets} buckets.");
            var sketch = new QuantileSketch(alpha, maxBuckets) { Count = reader.ReadInt64(), Min = reader.ReadSingle(), Max = reader.ReadSingle() };
            int buckets = reader.ReadInt32();
            long total = 0;
            for (int b = 0; b < buckets; b++)
            {
                int sign = reader.ReadSByte(), index = reader.ReadInt32();
                long count = reader.ReadInt64();
                if (count <= 0 || sign is < -1 or > 1)
                    throw new CnnDiagnosticsException($"the quantile sketch data holds a bad bucket (sign {sign}, count {count}).");
                if (sign > 0) sketch._positive.Add(index, count);
                else if (sign < 0) sketch._negative.Add(index, count);
                else sketch.ZeroCount += count;
                total += count;
            }
            if (total != sketch.Count)
                throw new CnnDiagnosticsException($"the quantile sketch data declares {sketch.Count} values but its buckets hold {total}.");
            return sketch;
        }
        catch (EndOfStreamException e)
        {
            throw new CnnDiagnosticsException("the data ends inside a quantile sketch (truncated file?).", e);
        }
    }

    /// <summary>Non-empty buckets as (sign, index, count), negatives from the lowest value up, then zeros, then positives: the whole state, for tests and persistence.</summary>
    internal IEnumerable<(int Sign, int Index, long Count)> Buckets() =>
        _negative.Buckets().Select(b => (-1, b.Index, b.Count))
            .Concat(ZeroCount > 0 ? [(0, 0, ZeroCount)] : [])
            .Concat(_positive.Buckets().Select(b => (1, b.Index, b.Count)));

    private float ValueAtRank(long rank)
    {
        long seen = 0;
        foreach (var (sign, index, count) in Buckets())
        {
            seen += count;
            if (seen > rank)
                return sign switch { 0 => 0f, > 0 => (float)Representative(index), _ => (float)-Representative(-index) };
        }
        return Max;
    }

    // The smallest i with magnitude ≤ γ^i; clamped so that infinity lands in the outermost bucket instead of overflowing.
    private int Key(float magnitude) => _keys is not null && magnitude <= float.MaxValue
        ? _keys.Key(magnitude)
        : (int)Math.Clamp(Math.Ceiling(Math.Log(magnitude) * _inverseLogGamma), -1e8, 1e8);

    // The point of bucket (γ^(i−1), γ^i] whose relative distance to both ends is α.
    private double Representative(int index) => 2 * Math.Pow(_gamma, index) / (_gamma + 1);
}
