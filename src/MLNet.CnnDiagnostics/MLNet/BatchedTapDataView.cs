using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// The data view a tap returns. Its cursor reads the image column ahead with a second upstream cursor, runs
/// ONNX Runtime on whole batches, and serves the tap columns row by row beside the upstream columns
/// (read by a first cursor in step with its own position, so pass-through values need no copying).
/// </summary>
internal sealed class BatchedTapDataView : IDataView
{
    private readonly OnnxTapTransformer _tap;
    private readonly IDataView _input;

    public BatchedTapDataView(OnnxTapTransformer tap, IDataView input)
    {
        _tap = tap;
        _input = input;
        Schema = tap.GetOutputSchema(input.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int inputCount = _input.Schema.Count;
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var passThrough = needed.Where(i => i < inputCount).Select(i => _input.Schema[i]).ToList();
        bool anyTap = needed.Any(i => i >= inputCount);
        var follow = _input.GetRowCursor(passThrough);
        var lead = anyTap ? _input.GetRowCursor([_input.Schema[_tap.InputColumnName]]) : null;
        return new Cursor(this, follow, lead, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchedTapDataView _view;
        private readonly DataViewRowCursor _follow;
        private readonly DataViewRowCursor? _lead;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>>? _pixels;
        private readonly float[][] _outputs;
        private readonly int[] _sizes;
        private float[]? _images;
        private int _batchStart, _batchCount;
        private long _position = -1;
        private VBuffer<float> _row;

        public Cursor(BatchedTapDataView view, DataViewRowCursor follow, DataViewRowCursor? lead, HashSet<int> active)
        {
            _view = view;
            _follow = follow;
            _lead = lead;
            _active = active;
            _pixels = lead?.GetGetter<VBuffer<float>>(view._input.Schema[view._tap.InputColumnName]);
            _sizes = view._tap.Columns.Select(c => c.Size).ToArray();
            _outputs = new float[_sizes.Length][];
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _follow.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_follow.MoveNext()) return false;
            _position++;
            if (_lead is not null && _position >= _batchStart + _batchCount) FillBatch();
            return true;
        }

        private void FillBatch()
        {
            var tap = _view._tap;
            int size = tap.InputDimensions.Aggregate(1, (a, b) => a * b);
            int rows = tap.RowsPerRun;
            // one input and one output buffer per column for the cursor's life: ONNX Runtime reads and writes them in place
            _images ??= new float[rows * size];
            for (int c = 0; c < _outputs.Length; c++) _outputs[c] ??= new float[rows * _sizes[c]];
            int count = 0;
            while (count < rows && _lead!.MoveNext())
            {
                _pixels!(ref _row);
                if (_row.Length != size)
                    throw new CnnDiagnosticsException($"row {_lead.Position} of column '{tap.InputColumnName}' has {_row.Length} values; the model needs {size}.");
                _row.CopyTo(_images.AsSpan(count * size, size));
                count++;
            }
            if (count == 0)
                throw new InvalidOperationException("the upstream data view returned fewer rows to the read-ahead cursor than to the row cursor; taps need a data view that yields the same rows to every cursor.");
            tap.RunInto(_images, count, _outputs);
            _batchStart = (int)_position;
            _batchCount = count;
            tap.Progress?.Report(new DiagnosticsProgress($"CNN forward ({tap.Model.SourceName})", _position + count, _view._input.GetRowCount() ?? 0));
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"column '{column.Name}' was not requested when the cursor was created.");
            int inputCount = _view._input.Schema.Count;
            if (column.Index < inputCount) return _follow.GetGetter<TValue>(_view._input.Schema[column.Index]);
            int c = column.Index - inputCount;
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"column '{column.Name}' holds VBuffer<Single>, not {typeof(TValue).Name}.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                if (_position < 0) throw new InvalidOperationException("the cursor has no current row: call MoveNext first.");
                int size = _sizes[c];
                var editor = VBufferEditor.Create(ref value, size);
                _outputs[c].AsSpan((int)(_position - _batchStart) * size, size).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _follow.Dispose();
                _lead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
