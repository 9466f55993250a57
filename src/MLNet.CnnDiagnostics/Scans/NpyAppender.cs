using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// A .npy table written row by row. <see cref="Checkpoint"/> flushes the rows to disk and rewrites the header's row count;
/// opening an existing file cuts it back to the rows of the last checkpoint, so rows written after it (by a process that was
/// killed) are written again exactly once.
/// </summary>
internal sealed class NpyAppender : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _descr;
    private readonly int[] _rowShape;
    private readonly int _rowBytes;

    /// <summary>Opens (or creates) <paramref name="path"/> holding <paramref name="rows"/> checkpointed rows.</summary>
    public NpyAppender(string path, string descr, IReadOnlyList<int> rowShape, int elementBytes, long rows)
    {
        Path = path;
        _descr = descr;
        _rowShape = rowShape.ToArray();
        _rowBytes = checked(elementBytes * _rowShape.Aggregate(1, (a, b) => checked(a * b)));
        Rows = rows;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        long expected = NpyFile.HeaderBytes + rows * _rowBytes, length = _stream.Length;
        if (rows > 0 && length < expected)
        {
            _stream.Dispose();
            throw new CnnDiagnosticsException($"'{path}' holds {Math.Max(0, length - NpyFile.HeaderBytes) / Math.Max(1, _rowBytes)} rows, but the checkpoint recorded {rows}; the scan folder was changed by something else. Start the scan again in a new folder.");
        }
        _stream.SetLength(expected);
        WriteHeader();
        _stream.Position = expected;
    }

    public string Path { get; }

    /// <summary>Rows written so far (checkpointed or not).</summary>
    public long Rows { get; private set; }

    /// <summary>Appends rows given as values of the element type.</summary>
    public void Append<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        if (bytes.Length % _rowBytes != 0)
            throw new ArgumentException($"{bytes.Length} bytes are not whole rows of {_rowBytes} bytes.", nameof(values));
        _stream.Write(bytes);
        Rows += bytes.Length / _rowBytes;
    }

    /// <summary>Makes every row written so far durable and the header say so.</summary>
    public void Checkpoint()
    {
        _stream.Flush();
        long end = _stream.Position;
        WriteHeader();
        _stream.Position = end;
        _stream.Flush(flushToDisk: true);
    }

    private void WriteHeader()
    {
        _stream.Position = 0;
        _stream.Write(NpyFile.Header(_descr, Rows, _rowShape));
    }

    public void Dispose() => _stream.Dispose();
}
