namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>A bounded max-heap keeping the k smallest keys seen, with their point indices.</summary>
internal sealed class NeighborHeap
{
    private readonly float[] _keys;
    private readonly int[] _indices;
    private int _count;

    public NeighborHeap(int capacity)
    {
        _keys = new float[capacity];
        _indices = new int[capacity];
    }

    /// <summary>A key must be below this to enter: +∞ until the heap is full, then its largest key.</summary>
    public float Threshold => _count < _keys.Length ? float.PositiveInfinity : _keys[0];

    public int Count => _count;

    /// <summary>The kept indices, in heap order.</summary>
    public ReadOnlySpan<int> Indices => new(_indices, 0, _count);

    /// <summary>The kept keys, in heap order (parallel to <see cref="Indices"/>).</summary>
    public ReadOnlySpan<float> Keys => new(_keys, 0, _count);

    public bool Contains(int index) => Array.IndexOf(_indices, index, 0, _count) >= 0;

    public void Clear() => _count = 0;

    /// <summary>Inserts when the key beats the current largest (or the heap is not yet full).</summary>
    public bool Offer(float key, int index)
    {
        if (_count < _keys.Length)
        {
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Worse(key, index, _keys[parent], _indices[parent])) break;
                _keys[i] = _keys[parent]; _indices[i] = _indices[parent];
                i = parent;
            }
            _keys[i] = key; _indices[i] = index;
            return true;
        }
        if (!Worse(_keys[0], _indices[0], key, index)) return false;
        SiftDown(key, index);
        return true;
    }

    private void SiftDown(float key, int index)
    {
        int n = _count, i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && Worse(_keys[child + 1], _indices[child + 1], _keys[child], _indices[child])) child++;
            if (!Worse(_keys[child], _indices[child], key, index)) break;
            _keys[i] = _keys[child]; _indices[i] = _indices[child];
            i = child;
        }
        _keys[i] = key; _indices[i] = index;
    }

    // (a, ia) ranks after (b, ib): larger key, ties by larger index, so results do not depend on visiting order.
    private static bool Worse(float a, int ia, float b, int ib) => a > b || (a == b && ia > ib);

    /// <summary>Sorts parallel arrays by distance ascending, ties by index.</summary>
    public static void SortByDistance(Span<int> indices, Span<float> distances)
    {
        for (int i = 1; i < indices.Length; i++)
        {
            float d = distances[i]; int x = indices[i]; int j = i - 1;
            while (j >= 0 && (distances[j] > d || (distances[j] == d && indices[j] > x)))
            {
                distances[j + 1] = distances[j]; indices[j + 1] = indices[j]; j--;
            }
            distances[j + 1] = d; indices[j + 1] = x;
        }
    }
}
