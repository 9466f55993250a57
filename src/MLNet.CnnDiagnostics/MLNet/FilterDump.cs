using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// Estimator of the filter-dumping tap: at <c>Fit</c> it reads the chosen convolution layers' kernels into filter banks;
/// the data passes through unchanged.
/// </summary>
public sealed class FilterDumpEstimator : IEstimator<FilterDumpTransformer>
{
    private readonly IHostEnvironment _env;

    internal FilterDumpEstimator(IHostEnvironment env, ModelGraph model, IReadOnlyList<string>? layers)
    {
        _env = env;
        Model = model;
        var convolutions = model.Layers.Where(l => l.OpType == "Conv").ToList();
        if (convolutions.Count == 0)
            throw new CnnDiagnosticsException($"model '{model.SourceName}' has no Conv layer whose filters could be dumped.");
        Layers = layers is { Count: > 0 } ? layers.Select(l => model.GetLayer(l).Name).ToList() : [convolutions[0].Name];
        foreach (var name in Layers) _ = model.GetConvolutionWeights(name); // fail at pipeline construction, not at Fit
    }

    /// <summary>The CNN whose filters are dumped.</summary>
    public ModelGraph Model { get; }

    /// <summary>The convolution layers to dump (by default the first one).</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <inheritdoc/>
    public FilterDumpTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var banks = Layers.Select(l => FilterBank.FromModel(Model, l)).ToList();
        MLNetEnvironment.Log(_env, "CnnDiagnostics", $"DumpFilters: {string.Join(", ", banks.Select(b => $"{b.LayerName} [{string.Join("x", b.Weights.Shape)}], {b.DeadFilters.Count} dead"))}.");
        return new FilterDumpTransformer(Model, banks);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema ?? throw new ArgumentNullException(nameof(inputSchema));
}

/// <summary>The fitted filter-dumping tap: the filter banks, and an identity transform of the data.</summary>
public sealed class FilterDumpTransformer : ITransformer
{
    internal FilterDumpTransformer(ModelGraph model, IReadOnlyList<FilterBank> banks)
    {
        Model = model;
        FilterBanks = banks;
    }

    /// <summary>The CNN the filters come from.</summary>
    public ModelGraph Model { get; }

    /// <summary>One filter bank per dumped layer.</summary>
    public IReadOnlyList<FilterBank> FilterBanks { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)new TransformerChain<ITransformer>()).GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => input;

    /// <summary>Saved as an empty (identity) transformer chain: the filters belong to the model file, not to the pipeline's state.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)new TransformerChain<ITransformer>()).Save(ctx);
}
