using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>A data view that adds one float-vector column whose values are computed for all rows at once, on first use.</summary>
internal sealed class AppendedColumnDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Lazy<float[][]> _values;

    public AppendedColumnDataView(IDataView input, DataViewSchema schema, Func<float[][]> values)
    {
        _input = input;
        Schema = schema;
        _values = new Lazy<float[][]>(values);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var upstream = _input.GetRowCursor(needed.Where(i => i < _input.Schema.Count).Select(i => _input.Schema[i]));
        return new Cursor(this, upstream, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(AppendedColumnDataView view, DataViewRowCursor upstream, HashSet<int> active) : DataViewRowCursor
    {
        public override DataViewSchema Schema => view.Schema;

        public override long Position => upstream.Position;

        public override long Batch => upstream.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => upstream.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext() => upstream.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < view._input.Schema.Count) return upstream.GetGetter<TValue>(view._input.Schema[column.Index]);
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var row = view._values.Value[upstream.Position];
                var editor = VBufferEditor.Create(ref value, row.Length);
                row.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) upstream.Dispose();
            base.Dispose(disposing);
        }
    }
}
