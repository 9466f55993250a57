using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>The estimator returned by <c>AppendVisualization</c>: fits the wrapped pipeline, then builds and writes the report.</summary>
public sealed class VisualizingEstimator : IEstimator<VisualizingTransformer>
{
    private readonly IEstimator<ITransformer> _inner;

    internal VisualizingEstimator(IEstimator<ITransformer> inner, VisualizationOptions options)
    {
        if (options.MaxRows < 2) throw new ArgumentOutOfRangeException(nameof(options), options.MaxRows, "MaxRows must be at least 2.");
        if (options.MaxImagePixels < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxImagePixels, "MaxImagePixels must be at least 1.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        if (options.AttributionMethods is { } methods)
            foreach (var method in methods) Analysis.Attribution.AttributionRegistry.Get(method);
        _inner = inner;
        Options = options;
    }

    /// <summary>The report options.</summary>
    public VisualizationOptions Options { get; }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public VisualizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = _inner.Fit(input);
        var ml = new MLContext(Options.Seed);
        var env = CnnLocator.Flatten(model).OfType<OnnxTapTransformer>().FirstOrDefault()?.Environment ?? (IHostEnvironment)(object)ml;
        void Log(string message) => MLNetEnvironment.Log(env, "CnnDiagnostics.Report", message);

        var cnn = CnnLocator.Find(model)
            ?? throw new CnnDiagnosticsException($"AppendVisualization found no CNN in the pipeline; its stages are: {CnnLocator.DescribeStages(model)}. Add ApplyOnnxModel, DnnFeaturizeImage or a CnnDiagnostics tap (ExtractEmbedding, CaptureActivations).");
        var head = CnnLocator.FindHead(model);
        Log($"CNN: {cnn.Stage} over '{cnn.Graph.SourceName}', pixels from column '{cnn.PixelColumn}'; head: {(head is null ? "none" : $"{head.Classes} classes on '{head.FeatureColumnName}'")}.");

        if (cnn.Graph.OtherInputs is { Count: > 0 } extra)
            throw new CnnDiagnosticsException(Onnx.ModelGraph.OtherInputsMessage(cnn.Graph.SourceName, extra));
        // an unknown layer is the caller's mistake: say so now rather than skip sections after minutes of work
        foreach (var layer in Options.Layers ?? [])
        {
            try { cnn.Graph.ResolveTensor(layer); }
            catch (CnnDiagnosticsException e) { throw new ArgumentException($"VisualizationOptions.Layers entry '{layer}' names no layer or tensor of the CNN: {e.Message}", nameof(Options), e); }
        }

        using var context = SampledImages.Read(input, model, cnn, head, Options, Log);
        // the pipeline's taps are done with the sample: their sessions (weights, and an arena grown to their batches)
        // would otherwise stay under every section; a later Transform makes them again
        foreach (var tap in CnnLocator.Flatten(model).OfType<OnnxTapTransformer>()) tap.ReleaseSession();
        Log($"sampled {context.Rows} rows{(context.SkippedImages.Count > 0 ? $" ({context.SkippedImages.Count} unreadable images skipped)" : "")}; embedding tensor {context.EmbeddingTensor}.");
        var report = DiagnosticReportBuilder.Build(context, $"CNN diagnostics: {cnn.Graph.SourceName}", Log);
        string? path = null;
        if (Options.ReportPath is not null)
        {
            path = Path.GetFullPath(Options.ReportPath);
            ReportFiles.Write(report, path);
            Log($"report written to {path}");
        }
        return new VisualizingTransformer(model, report, path);
    }
}

/// <summary>The fitted pipeline with its diagnostic report; transforms exactly as the wrapped pipeline does.</summary>
public sealed class VisualizingTransformer : ITransformer
{
    internal VisualizingTransformer(ITransformer model, DiagnosticReport report, string? reportPath)
    {
        Model = model;
        Report = report;
        ReportPath = reportPath;
    }

    /// <summary>The fitted wrapped pipeline.</summary>
    public ITransformer Model { get; }

    /// <summary>The report as an object (sections and summary).</summary>
    public DiagnosticReport Report { get; }

    /// <summary>Full path of the HTML report, or null when none was written.</summary>
    public string? ReportPath { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Model.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Model.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Model.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Model.Transform(input);

    /// <summary>Saves the wrapped pipeline (the report is a file of its own, not part of the model).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => Model.Save(ctx);
}
