namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// The report's sampled images, held once and in the smallest form that loses nothing: one byte a value while every
/// value is a whole number in 0..255 (what ExtractPixels gives without scaling), otherwise one float a value. Each row
/// is its own array (no growing list, no copy of the whole sample); sections read rows or batches as float tensors,
/// made when asked and dropped after use.
/// </summary>
internal sealed class SampleImages
{
    private readonly List<byte[]>? _bytes;
    private readonly List<float[]>? _floats;

    private SampleImages(int[] itemShape, List<byte[]>? bytes, List<float[]>? floats)
    {
        ItemShape = itemShape;
        ItemSize = (int)FloatTensor.ElementCount(itemShape);
        _bytes = bytes;
        _floats = floats;
        Shape = [Count, .. itemShape];
    }

    /// <summary>[N, C, H, W].</summary>
    public int[] Shape { get; }

    /// <summary>[C, H, W].</summary>
    public int[] ItemShape { get; }

    public int ItemSize { get; }

    public int Count => _bytes?.Count ?? _floats!.Count;

    /// <summary>True when the rows are held as bytes (every value a whole number in 0..255).</summary>
    public bool HeldAsBytes => _bytes is not null;

    /// <summary>Bytes the rows occupy.</summary>
    public long SizeInBytes => (long)Count * ItemSize * (HeldAsBytes ? 1 : sizeof(float));

    /// <summary>Row <paramref name="row"/> as a tensor [1, C, H, W] (a fresh copy).</summary>
    public FloatTensor Slice(int row)
    {
        if ((uint)row >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(row), $"index {row} is outside the first dimension of size {Count}.");
        var data = new float[ItemSize];
        CopyRow(row, data);
        return new FloatTensor([1, .. ItemShape], data);
    }

    /// <summary>The given rows stacked as one tensor [rows, C, H, W].</summary>
    public FloatTensor Batch(IReadOnlyList<int> rows)
    {
        var data = new float[(long)rows.Count * ItemSize];
        for (int i = 0; i < rows.Count; i++)
        {
            if ((uint)rows[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(rows), $"index {rows[i]} is outside the first dimension of size {Count}.");
            CopyRow(rows[i], data.AsSpan(i * ItemSize, ItemSize));
        }
        return new FloatTensor([rows.Count, .. ItemShape], data);
    }

    private void CopyRow(int row, Span<float> destination)
    {
        if (_floats is not null)
        {
            _floats[row].CopyTo(destination);
            return;
        }
        var source = _bytes![row];
        for (int i = 0; i < source.Length; i++) destination[i] = source[i];
    }

    /// <summary>Every row of a tensor [N, C, H, W].</summary>
    public static SampleImages From(FloatTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var builder = new Builder(images.Shape[1..]);
        int size = builder.ItemSize;
        for (int r = 0; r < images.Shape[0]; r++) builder.Add(images.Data.AsSpan(r * size, size));
        return builder.Build();
    }

    /// <summary>Collects rows one at a time, in bytes until a value needs a float.</summary>
    internal sealed class Builder(int[] itemShape)
    {
        private List<byte[]>? _bytes = [];
        private List<float[]>? _floats;

        public int ItemSize { get; } = (int)FloatTensor.ElementCount(itemShape);

        public int Count => _bytes?.Count ?? _floats!.Count;

        public void Add(ReadOnlySpan<float> row)
        {
            if (row.Length != ItemSize) throw new ArgumentException($"a row has {row.Length} values; {ItemSize} expected.", nameof(row));
            if (_bytes is not null)
            {
                var bytes = new byte[ItemSize];
                if (TryBytes(row, bytes))
                {
                    _bytes.Add(bytes);
                    return;
                }
                _floats = _bytes.Select(b => b.Select(v => (float)v).ToArray()).ToList();
                _bytes = null;
            }
            _floats!.Add(row.ToArray());
        }

        public SampleImages Build() => new(itemShape, _bytes, _floats);

        private static bool TryBytes(ReadOnlySpan<float> row, byte[] bytes)
        {
            for (int i = 0; i < row.Length; i++)
            {
                float v = row[i];
                // exact whole numbers 0..255 only (negative zero stays a float: its sign would be lost)
                if (!(v >= 0f && v <= 255f) || v != MathF.Floor(v) || (v == 0f && float.IsNegative(v))) return false;
                bytes[i] = (byte)v;
            }
            return true;
        }
    }
}
