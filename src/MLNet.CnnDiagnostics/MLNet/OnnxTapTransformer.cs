using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// The fitted form of a diagnostic tap that runs a CNN: it gathers rows into batches for ONNX Runtime
/// (ML.NET's own ApplyOnnxModel runs one row at a time) and adds one column per tapped tensor.
/// Saved with <c>mlContext.Model.Save</c>, it is written as ML.NET's ONNX transformer over the same tapped graph,
/// so a loaded model produces the same columns with the same values (row at a time, without the tap annotations).
/// </summary>
public abstract class OnnxTapTransformer : ITransformer, IDisposable
{
    /// <summary>Name of the annotation that marks a column as a diagnostic tap; its value is the tapped tensor's name.</summary>
    public const string TapAnnotation = "CnnDiagnosticsTap";

    private readonly IHostEnvironment _env;
    private readonly Func<OnnxExecutor> _createExecutor;
    private readonly object _executorLock = new();
    private Lazy<OnnxExecutor> _executor;
    private readonly Lazy<ITransformer> _savable;
    private readonly Lazy<int> _rowsPerRun;
    private readonly List<string> _columnNames;

    private protected OnnxTapTransformer(IHostEnvironment env, ModelGraph model, string inputColumnName,
        IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> taps, int batchSize, ExecutionOptions? execution, IProgress<DiagnosticsProgress>? progress)
    {
        Progress = progress;
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1.");
        _env = env;
        Model = model;
        InputColumnName = inputColumnName;
        BatchSize = batchSize;
        TapModel = TapGraph.Build(model, inputColumnName, taps);
        var input = TapModel.ImageInput;
        InputDimensions = input.Shape!.Skip(1).ToArray();
        if (InputDimensions.Any(d => d <= 0))
            throw new CnnDiagnosticsException($"model '{model.SourceName}' has image input {model.ImageInput.Name}{model.ImageInput.ShapeText} with unknown channel or spatial size; give the model a fixed input size.");
        Columns = taps.Select(t =>
        {
            var shape = TapModel.GetTensorInfo(t.Column).Shape;
            if (shape is null || shape.Skip(1).Any(d => d <= 0))
                throw new CnnDiagnosticsException($"the size of tensor '{t.Tensor}' in model '{model.SourceName}' could not be determined, so it cannot become a column.");
            return new TapColumn(t.Column, t.Tensor, shape.Skip(1).ToArray());
        }).ToList();
        _columnNames = Columns.Select(c => c.Name).ToList();
        // a tap's session runs one pass after another over whole datasets: its batches are bounded in bytes, and so is the
        // garbage around it (ML.NET's pixel vectors are large objects that only full collections free)
        var bounded = (execution ?? new ExecutionOptions()).WithBoundedMemory(GarbageBudget.DefaultBytes);
        _rowsPerRun = new Lazy<int>(() => bounded.RowsPerRun(TapModel.PeakActivationBytesPerItem(), BatchSize));
        _createExecutor = () => new OnnxExecutor(TapModel, bounded);
        _executor = new Lazy<OnnxExecutor>(_createExecutor);
        _savable = new Lazy<ITransformer>(CreateSavable);
    }

    /// <summary>The CNN this tap runs (before tapping).</summary>
    public ModelGraph Model { get; }

    /// <summary>The graph actually run: symbolic batch, input named after the input column, one output per tap column.</summary>
    public ModelGraph TapModel { get; }

    /// <summary>The column of image tensors fed to the model (a vector of Single, C×H×W values).</summary>
    public string InputColumnName { get; }

    /// <summary>The model's input item dimensions [C, H, W].</summary>
    public int[] InputDimensions { get; }

    /// <summary>The columns this tap adds.</summary>
    public IReadOnlyList<TapColumn> Columns { get; }

    /// <summary>The most rows per ONNX Runtime call (fewer where the rows' activations would exceed <see cref="ExecutionOptions.BatchMemoryMegabytes"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Rows per ONNX Runtime call: <see cref="BatchSize"/>, or fewer so that one call's activations stay within <see cref="ExecutionOptions.BatchMemoryMegabytes"/>.</summary>
    internal int RowsPerRun => _rowsPerRun.Value;

    /// <summary>Always true: prediction engines get a row-at-a-time mapper.</summary>
    public bool IsRowToRowMapper => true;

    internal IHostEnvironment Environment => _env;

    internal IProgress<DiagnosticsProgress>? Progress { get; }

    /// <summary>Runs the tapped graph on a batch [N, C, H, W]; returns one tensor per tap column.</summary>
    public IReadOnlyDictionary<string, FloatTensor> RunBatch(FloatTensor batch)
    {
        Lazy<OnnxExecutor> executor;
        lock (_executorLock) executor = _executor;
        return executor.Value.Run(batch);
    }

    /// <summary>
    /// Runs the tapped graph on the first <paramref name="rows"/> images of <paramref name="images"/> (rows × C×H×W values)
    /// and has ONNX Runtime write each tap column's values straight into <paramref name="outputs"/> (one buffer per column,
    /// in <see cref="Columns"/> order, each holding at least rows × the column's size).
    /// </summary>
    internal void RunInto(float[] images, int rows, float[][] outputs)
    {
        Lazy<OnnxExecutor> executor;
        lock (_executorLock) executor = _executor;
        int size = InputDimensions.Aggregate(1, (a, b) => a * b);
        executor.Value.RunInto(images.AsMemory(0, rows * size), [rows, .. InputDimensions], _columnNames,
            Columns.Select((c, i) => (outputs[i].AsMemory(0, rows * c.Size), (int[])[rows, .. c.Dimensions])).ToList());
    }

    /// <summary>
    /// Disposes the ONNX Runtime session (its weights and the CPU arena its batches grew), if one was made; the next
    /// batch makes a new one, with the same outputs. The report calls it once it has read its sample, so the pipeline's
    /// session does not sit under every report section.
    /// </summary>
    internal void ReleaseSession()
    {
        Lazy<OnnxExecutor> old;
        lock (_executorLock)
        {
            old = _executor;
            if (!old.IsValueCreated) return;
            _executor = new Lazy<OnnxExecutor>(_createExecutor);
        }
        old.Value.Dispose();
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var c in Columns)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            var tensor = c.Tensor.AsMemory();
            annotations.Add(TapAnnotation, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = tensor);
            builder.AddColumn(c.Name, new VectorDataViewType(NumberDataViewType.Single, c.Dimensions), annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    internal void CheckInput(DataViewSchema inputSchema)
    {
        var column = inputSchema.GetColumnOrNull(InputColumnName);
        int size = InputDimensions.Aggregate(1, (a, b) => a * b);
        string expected = $"a vector of Single with {size} values ({string.Join("×", InputDimensions)}, planar channels) for model input '{Model.ImageInput.Name}'";
        if (column is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' not found; expected {expected}; {ClosestNames.Suggest(InputColumnName, inputSchema.Select(c => c.Name))}.");
        if (column.Value.Type is not VectorDataViewType { ItemType: NumberDataViewType } v || v.ItemType != NumberDataViewType.Single || v.Size != size)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' has type {column.Value.Type}; expected {expected} (check the image size and ExtractPixels).");
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedTapDataView(this, input);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new TapRowMapper(this, inputSchema);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_savable.Value).Save(ctx);

    private ITransformer CreateSavable()
    {
        var ml = _env as MLContext ?? new MLContext();
        using var stream = new MemoryStream(TapModel.ToBytes());
        var estimator = ml.Transforms.ApplyOnnxModel(Columns.Select(c => c.Name).ToArray(), [InputColumnName], stream);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<SavableInput>(), SavableSchema());
        return estimator.Fit(empty);
    }

    private SchemaDefinition SavableSchema()
    {
        var definition = SchemaDefinition.Create(typeof(SavableInput));
        definition[0].ColumnName = InputColumnName;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputDimensions.Aggregate(1, (a, b) => a * b));
        return definition;
    }

    private sealed class SavableInput
    {
        public float[] Pixels { get; set; } = [];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_executorLock)
            if (_executor.IsValueCreated) _executor.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}
