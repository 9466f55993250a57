namespace MLNet.CnnDiagnostics;

/// <summary>
/// A dense, row-major float tensor: the one currency between the model graph, the executor and the analyses.
/// </summary>
public sealed class FloatTensor
{
    /// <summary>Creates a tensor over <paramref name="data"/> (not copied) with the given shape.</summary>
    public FloatTensor(int[] shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCount(shape);
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(",", shape)}] holds {count} elements but the data has {data.Length}.", nameof(data));
        Shape = shape;
        Data = data;
    }

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public FloatTensor(params int[] shape) : this(shape, new float[checked((int)ElementCount(shape))]) { }

    /// <summary>The dimensions, outermost first (for images: N, C, H, W).</summary>
    public int[] Shape { get; }

    /// <summary>The values in row-major order.</summary>
    public float[] Data { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Element at a multi-dimensional index.</summary>
    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>Row-major offset of a multi-dimensional index.</summary>
    public int Offset(params int[] index)
    {
        if (index.Length != Shape.Length)
            throw new ArgumentException($"index has {index.Length} dimensions, the tensor has {Shape.Length}.");
        int offset = 0;
        for (int d = 0; d < Shape.Length; d++)
        {
            if ((uint)index[d] >= (uint)Shape[d])
                throw new IndexOutOfRangeException($"index {index[d]} is outside dimension {d} of size {Shape[d]}.");
            offset = offset * Shape[d] + index[d];
        }
        return offset;
    }

    /// <summary>The same data seen with another shape of the same element count (no copy).</summary>
    public FloatTensor Reshape(params int[] shape) => new(shape, Data);

    /// <summary>A copy of item <paramref name="index"/> along the first dimension, keeping a leading dimension of 1.</summary>
    public FloatTensor Slice(int index)
    {
        if (Rank == 0 || (uint)index >= (uint)Shape[0])
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside the first dimension of size {(Rank == 0 ? 0 : Shape[0])}.");
        return CopyRows(index, 1);
    }

    /// <summary>
    /// Items [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) along the first dimension: this
    /// tensor itself when that is all of them, else a copy. The one batch-slicing helper (batched runs, attributions).
    /// </summary>
    internal FloatTensor Rows(int start, int count)
    {
        if (Rank == 0 || start < 0 || count < 0 || start > Shape[0] - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start} to {start + count - 1} are outside the first dimension of size {(Rank == 0 ? 0 : Shape[0])}.");
        return start == 0 && count == Shape[0] ? this : CopyRows(start, count);
    }

    private FloatTensor CopyRows(int start, int count)
    {
        int size = Data.Length / Shape[0];
        var data = new float[size * count];
        Array.Copy(Data, start * size, data, 0, data.Length);
        return new FloatTensor([count, .. Shape[1..]], data);
    }

    /// <summary>Stacks tensors of equal shape [1, ...] or [...] along a new or existing first dimension.</summary>
    public static FloatTensor Stack(IReadOnlyList<FloatTensor> items)
    {
        if (items.Count == 0) throw new ArgumentException("cannot stack zero tensors.", nameof(items));
        var first = items[0];
        bool hasBatch = first.Rank > 0 && first.Shape[0] == 1;
        int[] inner = hasBatch ? first.Shape[1..] : first.Shape;
        int size = first.Length;
        var data = new float[size * items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Length != size)
                throw new ArgumentException($"tensor {i} has shape [{string.Join(",", items[i].Shape)}], expected [{string.Join(",", first.Shape)}].", nameof(items));
            Array.Copy(items[i].Data, 0, data, i * size, size);
        }
        return new FloatTensor([items.Count, .. inner], data);
    }

    /// <summary>A deep copy.</summary>
    public FloatTensor Clone() => new((int[])Shape.Clone(), (float[])Data.Clone());

    /// <summary>Product of the dimensions.</summary>
    public static long ElementCount(IReadOnlyList<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"dimension {d} is negative.", nameof(shape));
            n *= d;
        }
        return n;
    }

    /// <inheritdoc/>
    public override string ToString() => $"FloatTensor[{string.Join(",", Shape)}]";
}
