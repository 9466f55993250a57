using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// Any ML.NET <see cref="IDataView"/> as a scan source: a column of model inputs (vector of Single with C×H×W planar values,
/// as <c>ExtractPixels</c> writes them), item i being row i. The rows are read with one cursor, forward, under a lock; asking
/// for an earlier row starts a new cursor. A row whose vector has the wrong length, or whose upstream stage (an image that
/// fails to decode, say) throws while it is read, is skipped with its reason, never fatal.
/// </summary>
public sealed class DataViewScanSource : IScanSource, IDisposable
{
    private readonly IDataView _data;
    private readonly DataViewSchema.Column _pixels;
    private readonly string[]? _keys;
    private readonly int _length;
    private readonly object _gate = new();
    private DataViewRowCursor? _cursor;
    private ValueGetter<VBuffer<float>>? _getter;
    private long _position = -1;
    private VBuffer<float> _buffer;

    /// <summary>A source over <paramref name="data"/>'s <paramref name="pixelColumn"/>, each row reshaped to <paramref name="itemShape"/> [C, H, W].</summary>
    /// <param name="data">The rows; read once here (to count them and read the keys) and again by the scan.</param>
    /// <param name="pixelColumn">A vector-of-Single column of C×H×W values per row.</param>
    /// <param name="itemShape">The model input of one row, [C, H, W].</param>
    /// <param name="keyColumn">A text column naming each row (an image path, say): it decides each row's shard and identifies the
    /// dataset in checkpoints; null uses the row number, which is stable only while the rows keep their order.</param>
    public DataViewScanSource(IDataView data, string pixelColumn, IReadOnlyList<int> itemShape, string? keyColumn = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(pixelColumn);
        ArgumentNullException.ThrowIfNull(itemShape);
        if (itemShape.Count != 3 || itemShape.Any(d => d < 1))
            throw new CnnDiagnosticsException($"itemShape [{string.Join(", ", itemShape)}] is not a model input [C, H, W] of positive sizes.");
        _data = data;
        _length = itemShape[0] * itemShape[1] * itemShape[2];
        ItemShape = [.. itemShape];
        _pixels = Column(data.Schema, pixelColumn, "pixel");
        if (_pixels.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single)
            throw new CnnDiagnosticsException($"column '{pixelColumn}' is {_pixels.Type}; the pixel column must be a vector of Single (ExtractPixels' output).");
        if (vector.Size != 0 && vector.Size != _length)
            throw new CnnDiagnosticsException($"column '{pixelColumn}' holds {vector.Size} values per row; the item shape [{string.Join(", ", itemShape)}] needs {_length}.");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"data view; column {pixelColumn}; {string.Join("x", itemShape)}; keys {keyColumn ?? "row numbers"}\n"));
        long count = 0;
        if (keyColumn is null)
        {
            count = data.GetRowCount() ?? CountRows(data);
        }
        else
        {
            var keyCol = Column(data.Schema, keyColumn, "key");
            if (keyCol.Type is not TextDataViewType)
                throw new CnnDiagnosticsException($"column '{keyColumn}' is {keyCol.Type}; the key column must be text (an image path, say).");
            var keys = new List<string>();
            using var cursor = data.GetRowCursor([keyCol]);
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(keyCol);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                string key = value.ToString();
                keys.Add(key);
                hash.AppendData(Encoding.UTF8.GetBytes(key + "\n"));
            }
            _keys = [.. keys];
            count = keys.Count;
        }
        hash.AppendData(Encoding.UTF8.GetBytes($"rows {count}\n"));
        Count = count;
        Fingerprint = hash.GetHashAndReset();
    }

    /// <inheritdoc />
    public long Count { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> ItemShape { get; }

    /// <inheritdoc />
    public byte[] Fingerprint { get; }

    /// <inheritdoc />
    public string Key(long id) => _keys is null ? $"row/{id}" : _keys[id];

    /// <inheritdoc />
    public void Load(IReadOnlyList<long> ids, Span<float> target, string?[] errors)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_gate)
        {
            // rows in ascending order, each written to its place in the batch
            foreach (int i in Enumerable.Range(0, ids.Count).OrderBy(i => ids[i]))
            {
                try
                {
                    if (!MoveTo(ids[i]))
                    {
                        errors[i] = $"row {ids[i]} is past the last row ({Count - 1}) of the data.";
                        continue;
                    }
                    _getter!(ref _buffer);
                    if (_buffer.Length != _length)
                    {
                        errors[i] = $"row {ids[i]}: column '{_pixels.Name}' has {_buffer.Length} values; the item shape [{string.Join(", ", ItemShape)}] needs {_length}.";
                        continue;
                    }
                    _buffer.CopyTo(target.Slice(i * _length, _length));
                }
                catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
                {
                    errors[i] = $"row {ids[i]} could not be read: {e.Message}";
                    Reset();
                }
            }
        }
    }

    /// <summary>Closes the cursor.</summary>
    public void Dispose()
    {
        lock (_gate) Reset();
    }

    private bool MoveTo(long id)
    {
        if (_cursor is null || id <= _position) Reset(open: true);
        while (_position < id)
        {
            if (!_cursor!.MoveNext()) return false;
            _position++;
        }
        return true;
    }

    private void Reset(bool open = false)
    {
        _cursor?.Dispose();
        (_cursor, _getter, _position) = (null, null, -1);
        if (!open) return;
        _cursor = _data.GetRowCursor([_pixels]);
        _getter = _cursor.GetGetter<VBuffer<float>>(_pixels);
    }

    private static DataViewSchema.Column Column(DataViewSchema schema, string name, string role) =>
        schema.GetColumnOrNull(name) ?? throw new CnnDiagnosticsException(
            $"the data has no column '{name}' for the {role} column; its columns are: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");

    private static long CountRows(IDataView data)
    {
        long count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) count++;
        return count;
    }
}
