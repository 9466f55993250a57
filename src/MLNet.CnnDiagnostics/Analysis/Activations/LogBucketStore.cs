namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// Counts per integer bucket index, dense over at most <c>maxBuckets</c> indices. When the populated range would exceed
/// that, the lowest indices are folded into the lowest kept one. The kept window is always the top
/// <c>maxBuckets</c> indices below the highest index seen, so the state depends only on the multiset of indices added.
/// </summary>
internal sealed class LogBucketStore
{
    private readonly int _maxBuckets;
    private long[] _counts = [];
    private int _offset;                 // bucket index held by _counts[0]
    private int _min = int.MaxValue;     // lowest populated index
    private int _max = int.MinValue;     // highest populated index

    public LogBucketStore(int maxBuckets) => _maxBuckets = maxBuckets;

    public long Total { get; private set; }

    public bool IsEmpty => Total == 0;

    public int MinIndex => _min;

    public int MaxIndex => _max;

    public long this[int index] => index >= _offset && index < _offset + _counts.Length ? _counts[index - _offset] : 0;

    public void Add(int index, long count)
    {
        Cover(index, index);
        _counts[Math.Max(index, _min) - _offset] += count;
        Total += count;
    }

    /// <summary>Counts one value in each bucket of <paramref name="indices"/>: the same state as <see cref="AddOne"/> on each.</summary>
    public void AddKeys(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty) return;
        Cover(System.Numerics.Tensors.TensorPrimitives.Min(indices), System.Numerics.Tensors.TensorPrimitives.Max(indices));
        // every index is now at most _max; one below _min lies below the fold floor and is counted at the floor
        var counts = _counts;
        int min = _min, offset = _offset;
        foreach (int index in indices) counts[Math.Max(index, min) - offset]++;
        Total += indices.Length;
    }

    /// <summary>
    /// Makes the populated range include indices <paramref name="low"/>..<paramref name="high"/> (both about to be counted),
    /// folding the lowest buckets when the range would exceed the maximum; an index below the fold floor then counts at
    /// the floor, which is <see cref="_min"/>.
    /// </summary>
    private void Cover(int low, int high)
    {
        int max = Math.Max(_max, high);
        int floor = max - _maxBuckets + 1;
        int min = Math.Min(_min, Math.Max(low, floor));
        if (min < floor)
        {
            FoldBelow(floor);
            min = floor;
        }
        Reserve(min, max);
        _min = min;
        _max = max;
    }

    /// <summary>Counts one value in bucket <paramref name="index"/>: a plain increment inside the populated range.</summary>
    public void AddOne(int index)
    {
        if (index >= _min && index <= _max)
        {
            _counts[index - _offset]++;
            Total++;
        }
        else Add(index, 1);
    }

    public void AddAll(LogBucketStore other)
    {
        if (other.IsEmpty) return;
        // Highest first, so the fold window is final before lower buckets arrive.
        for (int i = other._max; i >= other._min; i--)
        {
            long c = other[i];
            if (c != 0) Add(i, c);
        }
    }

    /// <summary>(index, count) of the non-empty buckets in ascending index order.</summary>
    public IEnumerable<(int Index, long Count)> Buckets()
    {
        if (IsEmpty) yield break;
        for (int i = _min; i <= _max; i++)
            if (this[i] != 0) yield return (i, this[i]);
    }

    private void FoldBelow(int floor)
    {
        long folded = 0;
        for (int i = _min; i < floor && i <= _max; i++)
        {
            folded += _counts[i - _offset];
            _counts[i - _offset] = 0;
        }
        Reserve(floor, Math.Max(floor, _max));
        _counts[floor - _offset] += folded;
        _min = floor;
        _max = Math.Max(_max, floor); // all old buckets may lie below the floor

    }

    private void Reserve(int min, int max)
    {
        if (_counts.Length > 0 && min >= _offset && max < _offset + _counts.Length) return;
        int span = max - min + 1;
        int length = Math.Min(_maxBuckets, Math.Max(span, Math.Max(32, 2 * _counts.Length)));
        length = Math.Max(length, span);
        var grown = new long[length];
        int offset = min - (length - span) / 2;
        if (_counts.Length > 0 && _max != int.MinValue)
            for (int i = Math.Max(_min, offset); i <= _max && i < offset + length; i++)
                grown[i - offset] = _counts[i - _offset];
        _counts = grown;
        _offset = offset;
    }
}
