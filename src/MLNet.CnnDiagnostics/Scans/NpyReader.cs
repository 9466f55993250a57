using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>Reads a .npy table written by <see cref="NpyAppender"/> row by row, checking its type, row shape and length.</summary>
internal sealed class NpyReader : IDisposable
{
    private readonly FileStream _stream;

    public NpyReader(string path, string descr, IReadOnlyList<int> rowShape, int elementBytes, long expectedRows)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            var (d, rows, shape) = NpyFile.ReadHeader(_stream, path);
            if (d != descr || !shape.SequenceEqual(rowShape))
                throw new CnnDiagnosticsException($"'{path}' holds {d} rows of shape [{string.Join(",", shape)}]; the scan state expects {descr} rows of shape [{string.Join(",", rowShape)}].");
            RowBytes = elementBytes * rowShape.Aggregate(1, (a, b) => a * b);
            if (rows != expectedRows || _stream.Length != NpyFile.HeaderBytes + rows * RowBytes)
                throw new CnnDiagnosticsException($"'{path}' holds {rows} rows in {_stream.Length} bytes; the scan state says {expectedRows} rows. The scan folder was changed or is unfinished.");
            Rows = rows;
            _stream.Position = NpyFile.HeaderBytes;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public long Rows { get; }

    public int RowBytes { get; }

    /// <summary>Reads the next row's bytes into <paramref name="row"/> (<see cref="RowBytes"/> long).</summary>
    public void ReadRow(Span<byte> row) => _stream.ReadExactly(row);

    /// <summary>Reads all remaining rows as values of <typeparamref name="T"/>.</summary>
    public T[] ReadAll<T>() where T : unmanaged
    {
        var values = new T[checked((int)(Rows * RowBytes / Marshal.SizeOf<T>()))];
        _stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public void Dispose() => _stream.Dispose();
}
