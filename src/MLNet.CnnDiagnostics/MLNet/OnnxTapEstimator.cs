using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>The estimator side of a CNN tap: it checks its input column and knows the columns it will add; fitting builds the tapped graph.</summary>
/// <typeparam name="TTransformer">The fitted tap.</typeparam>
public abstract class OnnxTapEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : OnnxTapTransformer
{
    private protected OnnxTapEstimator(IHostEnvironment env, ModelGraph model, string inputColumnName,
        IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> taps, int batchSize, ExecutionOptions? execution, IProgress<DiagnosticsProgress>? progress)
    {
        Progress = progress;
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1.");
        var clash = taps.FirstOrDefault(t => t.Column == inputColumnName);
        if (clash.Column is not null)
            throw new ArgumentException($"output column '{clash.Column}' has the name of the input column; give the tap's output another name (the image column must stay readable).", nameof(taps));
        var duplicate = taps.GroupBy(t => t.Column).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"column name '{duplicate.Key}' is used for more than one tap.", nameof(taps));
        Env = env;
        Model = model;
        InputColumnName = inputColumnName;
        Taps = taps;
        BatchSize = batchSize;
        Execution = execution;
    }

    private protected IHostEnvironment Env { get; }

    private protected IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> Taps { get; }

    private protected int BatchSize { get; }

    private protected ExecutionOptions? Execution { get; }

    private protected IProgress<DiagnosticsProgress>? Progress { get; }

    /// <summary>The CNN the tap runs.</summary>
    public ModelGraph Model { get; }

    /// <summary>The column of image tensors.</summary>
    public string InputColumnName { get; }

    /// <summary>Names of the columns the tap adds.</summary>
    public IReadOnlyList<string> OutputColumnNames => Taps.Select(t => t.Column).ToList();

    /// <inheritdoc/>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = Create();
        transformer.CheckInput(input.Schema);
        MLNetEnvironment.Log(Env, "CnnDiagnostics", $"{GetType().Name}: tapping {string.Join(", ", Taps.Select(t => t.Tensor))} of '{Model.SourceName}', batch size {BatchSize}.");
        return transformer;
    }

    private protected abstract TTransformer Create();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var found = inputSchema.Where(c => c.Name == InputColumnName).ToList();
        if (found.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' not found; expected a vector of Single (the image pixels for model input '{Model.ImageInput.Name}{Model.ImageInput.ShapeText}'); {ClosestNames.Suggest(InputColumnName, inputSchema.Select(c => c.Name))}.");
        var column = found[^1];
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"input column '{InputColumnName}' is {column.Kind} of {column.ItemType}; expected a known-size vector of Single (the image pixels for model input '{Model.ImageInput.Name}{Model.ImageInput.ShapeText}').");
        var added = Taps.Select(t => t.Column).ToHashSet();
        var columns = inputSchema.Where(c => !added.Contains(c.Name)).ToList();
        columns.AddRange(Taps.Select(t => MLNetEnvironment.VectorColumn(t.Column, NumberDataViewType.Single)));
        return new SchemaShape(columns);
    }
}
