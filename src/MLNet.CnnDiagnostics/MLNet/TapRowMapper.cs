using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>Row-at-a-time mapping of a tap, for prediction engines: each row runs as a batch of one.</summary>
internal sealed class TapRowMapper : IRowToRowMapper
{
    private readonly OnnxTapTransformer _tap;

    public TapRowMapper(OnnxTapTransformer tap, DataViewSchema inputSchema)
    {
        _tap = tap;
        InputSchema = inputSchema;
        OutputSchema = tap.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        int inputCount = InputSchema.Count;
        var needed = dependingColumns.Where(c => c.Index < inputCount).Select(c => InputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index >= inputCount)) needed.Add(InputSchema[_tap.InputColumnName]);
        return needed.Distinct();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class Row : DataViewRow
    {
        private readonly TapRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private long _computedAt = -1;
        private float[][]? _outputs;
        private float[]? _image;
        private VBuffer<float> _pixels;

        public Row(TapRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _mapper.InputSchema.Count;
            if (column.Index < inputCount) return _input.GetGetter<TValue>(_mapper.InputSchema[column.Index]);
            var tap = _mapper._tap;
            var tapColumn = tap.Columns[column.Index - inputCount];
            var pixels = _input.GetGetter<VBuffer<float>>(_mapper.InputSchema[tap.InputColumnName]);
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                if (_computedAt != _input.Position || _outputs is null)
                {
                    pixels(ref _pixels);
                    // the row's image and the tap's outputs live in buffers kept for the row's life: a prediction engine
                    // calls this for every prediction
                    _image ??= new float[tap.InputDimensions.Aggregate(1, (a, b) => a * b)];
                    if (_pixels.Length != _image.Length)
                        throw new CnnDiagnosticsException($"row {_input.Position} of column '{tap.InputColumnName}' has {_pixels.Length} values; the model needs {_image.Length}.");
                    _pixels.CopyTo(_image);
                    _outputs ??= tap.Columns.Select(c => new float[c.Size]).ToArray();
                    tap.RunInto(_image, 1, _outputs);
                    _computedAt = _input.Position;
                }
                var editor = VBufferEditor.Create(ref value, tapColumn.Size);
                _outputs[column.Index - inputCount].AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)getter;
        }
    }
}
