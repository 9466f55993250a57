using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// A seeded uniform sample of a data view's rows, in their original order. Unlike ML.NET's ShuffleRows over a source
/// that cannot shuffle (which only mixes a pool of the first rows), every row has the same chance to be picked.
/// </summary>
internal sealed class RowSampleDataView : IDataView
{
    private readonly IDataView _input;
    private readonly HashSet<long> _rows;

    private RowSampleDataView(IDataView input, HashSet<long> rows)
    {
        _input = input;
        _rows = rows;
    }

    /// <summary>Up to <paramref name="count"/> rows chosen uniformly with the seed (all rows when there are no more).</summary>
    public static IDataView Create(IDataView input, int count, int seed)
    {
        var chosen = Choose(input, count, seed);
        return chosen is null ? input : new RowSampleDataView(input, chosen);
    }

    /// <summary>The positions of up to <paramref name="count"/> rows chosen uniformly with the seed, or null when all rows are taken.</summary>
    public static HashSet<long>? Choose(IDataView input, int count, int seed)
    {
        long total = input.GetRowCount() ?? CountRows(input);
        if (total <= count) return null;
        var random = new Random(seed);
        var chosen = new HashSet<long>();
        // Floyd's algorithm: count distinct indices in [0, total) with count draws.
        for (long j = total - count; j < total; j++)
        {
            long t = random.NextInt64(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        return chosen;
    }

    /// <summary>The rows of <paramref name="input"/> at the given positions, in their original order.</summary>
    public static IDataView FromRows(IDataView input, IEnumerable<long> rows) => new RowSampleDataView(input, rows.ToHashSet());

    /// <summary>The number of rows of <paramref name="input"/>, counted when the view does not know it.</summary>
    public static long RowCount(IDataView input) => input.GetRowCount() ?? CountRows(input);

    private static long CountRows(IDataView input)
    {
        long n = 0;
        using var cursor = input.GetRowCursor([]);
        while (cursor.MoveNext()) n++;
        return n;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _input.Schema;

    public long? GetRowCount() => _rows.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, _input.GetRowCursor(columnsNeeded));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(RowSampleDataView view, DataViewRowCursor upstream) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => upstream.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => upstream.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => upstream.GetGetter<TValue>(column);

        public override bool MoveNext()
        {
            while (upstream.MoveNext())
            {
                if (!view._rows.Contains(upstream.Position)) continue;
                _position++;
                return true;
            }
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) upstream.Dispose();
            base.Dispose(disposing);
        }
    }
}
