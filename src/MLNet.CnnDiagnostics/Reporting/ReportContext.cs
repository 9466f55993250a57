using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Rendering;
using MLNet.CnnDiagnostics.Selection;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// What a report section analyses: the network, the sampled rows (as model inputs and as displayable images), their
/// labels and predictions, and runs of the network over them. The report makes the ONNX Runtime sessions a section needs
/// and releases them after the section.
/// </summary>
public sealed class ReportContext : IDisposable
{
    private readonly Dictionary<string, OnnxExecutor> _executors = [];
    private FloatTensor? _embeddings;
    private GradientEngine? _gradients;
    private LayerSelection? _layers;

    internal ReportContext(ModelGraph graph, string embeddingTensor, SampleImages images, VisualizationOptions options)
    {
        Graph = graph;
        BatchedGraph = graph.HasSymbolicBatch ? graph : graph.WithSymbolicBatch();
        EmbeddingTensor = embeddingTensor;
        Images = images;
        Options = options;
        SessionExecution = ForReport(options.Execution);
    }

    internal ReportContext(ModelGraph graph, string embeddingTensor, FloatTensor images, VisualizationOptions options)
        : this(graph, embeddingTensor, SampleImages.From(images), options) { }

    /// <summary>The network.</summary>
    public ModelGraph Graph { get; }

    internal ModelGraph BatchedGraph { get; }

    /// <summary>The tensor whose values are the embedding (the features the classifier head reads, or the model's penultimate features).</summary>
    public string EmbeddingTensor { get; }

    /// <summary>The sampled rows as model inputs [N, C, H, W], held once (as bytes where that loses nothing).</summary>
    internal SampleImages Images { get; }

    /// <summary>Number of sampled rows.</summary>
    public int Rows => Images.Count;

    /// <summary>The report's options (seed, batch size, preprocessing to undo, ...).</summary>
    public VisualizationOptions Options { get; }

    /// <summary>
    /// How the report's own ONNX Runtime sessions run: the options' execution settings, with the CPU memory arena and
    /// memory patterns off unless the options set them. A report session runs a few batches and is disposed with its
    /// section; an arena (which never shrinks) and a pre-planned block per input shape would only add to the peak.
    /// </summary>
    internal ExecutionOptions SessionExecution { get; }

    /// <summary>Class index per row (-1 where missing), or null without labels.</summary>
    internal int[]? Labels { get; init; }

    /// <summary>Predicted class index per row, or null without a classifier.</summary>
    internal int[]? Predictions { get; set; }

    /// <summary>Class names in index order (empty when the pipeline has none).</summary>
    public IReadOnlyList<string> ClassNames { get; internal init; } = [];

    /// <summary>Whether the data has labels.</summary>
    public bool HasLabels => Labels is not null;

    /// <summary>The class index of a sampled row's label, or null when the data has no labels or the row's label is missing.</summary>
    /// <param name="row">Row of the sample, 0 to <see cref="Rows"/> − 1.</param>
    public int? Label(int row) => Labels is { } labels && CheckRow(row) && labels[row] >= 0 ? labels[row] : null;

    /// <summary>The class the pipeline predicts for a sampled row, or null without a classifier.</summary>
    /// <param name="row">Row of the sample, 0 to <see cref="Rows"/> − 1.</param>
    public int? Prediction(int row) => Predictions is { } predictions && CheckRow(row) && predictions[row] >= 0 ? predictions[row] : null;

    /// <summary>Sampled images left out because they could not be read (listed in the report).</summary>
    internal IReadOnlyList<SkippedImage> SkippedImages { get; set; } = [];

    /// <summary>Where predictions and class scores come from (for the report).</summary>
    internal string ClassifierSource { get; set; } = "";

    /// <summary>The linear head on the embedding (reading <see cref="EmbeddingTensor"/>), as the gradient engine folds it into the graph, or null.</summary>
    internal LinearHead? Head { get; init; }

    /// <summary>The name of class <paramref name="index"/>, or the index as text when the class has no name.</summary>
    /// <param name="index">Class index.</param>
    public string ClassName(int index) => index >= 0 && index < ClassNames.Count ? ClassNames[index] : index.ToString();

    /// <summary>A sampled row as a displayable image (inverse of the preprocessing given in the options).</summary>
    /// <param name="row">Row of the sample, 0 to <see cref="Rows"/> − 1.</param>
    public RgbImage Image(int row) => Display(Images.Slice(row));

    /// <summary>The given sampled rows as one model input [rows, C, H, W].</summary>
    /// <param name="rows">Rows of the sample.</param>
    public FloatTensor Batch(IReadOnlyList<int> rows) => Images.Batch(rows);

    private bool CheckRow(int row) => (uint)row < (uint)Rows
        ? true
        : throw new ArgumentOutOfRangeException(nameof(row), $"row {row} is outside the sample of {Rows} rows (0 to {Rows - 1}).");

    /// <summary>A model input [C, H, W] (a row, a patch, a masked image) as a displayable image (inverse of the preprocessing given in the options).</summary>
    internal RgbImage Display(FloatTensor chw) => RgbImage.FromChw(chw, Options.PixelMean, Options.PixelStd, Options.PixelMaxValue, Options.ChannelsAreBgr);

    /// <summary>t-SNE's iterations reported as the report's progress under <paramref name="stage"/>.</summary>
    internal IProgress<TsneProgress> TsneProgressFor(string stage) => new TsneProgressAdapter(this, stage);

    /// <summary>Runs the network on the given rows in batches, handing each batch's tensors (with its first row's position in <paramref name="rows"/>) to <paramref name="consume"/>.</summary>
    internal void ForEachBatch(IReadOnlyList<string> tensors, Action<int, IReadOnlyDictionary<string, FloatTensor>> consume, IReadOnlyList<int>? rows = null, string? stage = null)
    {
        rows ??= Enumerable.Range(0, Rows).ToList();
        string key = string.Join("|", tensors);
        if (!_executors.TryGetValue(key, out var exec))
            _executors[key] = exec = new OnnxExecutor(BatchedGraph.WithOnlyOutputs(tensors).PrunedToOutputs(), SessionExecution);
        // rows per run bounded in bytes too: the network's live activations (the whole graph's, an upper bound for its
        // pruned part) plus the requested tensors, which live to the end of the run
        long bytesPerRow = Graph.PeakActivationBytesPerItem() + tensors.Sum(t => ModelGraph.ItemBytes(Graph.GetTensorInfo(t)));
        int step = SessionExecution.RowsPerRun(bytesPerRow, Options.BatchSize);
        for (int start = 0; start < rows.Count; start += step)
        {
            var batch = Images.Batch(rows.Skip(start).Take(step).ToList());
            consume(start, exec.Run(batch));
            if (stage is not null) Progress(stage, Math.Min(start + step, rows.Count), rows.Count);
        }
    }

    /// <summary>Runs the network on the given rows (in batches) and returns the requested tensors stacked over those rows.</summary>
    /// <param name="tensors">Tensor names of the network (layer outputs).</param>
    /// <param name="rows">Rows of the sample; null for every row.</param>
    /// <param name="stage">Progress stage reported per batch, or null for none.</param>
    public IReadOnlyDictionary<string, FloatTensor> Run(IReadOnlyList<string> tensors, IReadOnlyList<int>? rows = null, string? stage = null)
    {
        var parts = tensors.ToDictionary(t => t, _ => new List<FloatTensor>());
        ForEachBatch(tensors, (_, outputs) =>
        {
            foreach (var (name, value) in outputs) parts[name].Add(value);
        }, rows, stage);
        return parts.ToDictionary(p => p.Key, p => Concat(p.Value));
    }

    /// <summary>Every layer choice for this model (CAM layer, embedding, investigation layers), each with its reason; the options' layers override.</summary>
    internal LayerSelection Layers => _layers ??= LayerSelector.Select(Graph, new LayerOverrides { Investigation = Options.Layers?.ToList(), CamLayer = Options.CamLayer });

    /// <summary>The receptive fields at the model's input size, computed once for the layer choices and every section (throws the calculator's reason when they cannot be computed).</summary>
    internal ReceptiveFields Fields => Layers.Fields ?? ReceptiveFieldCalculator.Compute(Graph);

    /// <summary>The first layer to investigate (top patches, masks): <see cref="LayerSelector"/>'s choice or the options' first layer.</summary>
    internal string MiddleTensor() =>
        Layers.Investigation.FirstOrDefault()?.Tensor
        ?? throw new CnnDiagnosticsException($"model '{Graph.SourceName}' has no layer to investigate: {string.Join("; ", Layers.Notes)}.");

    /// <summary>Whether class scores exist: a linear head on the embedding, or the model's own classifier layer.</summary>
    internal bool HasClassScores => Head is not null || Graph.FindClassifierLayer() is not null;

    /// <summary>The gradient engine over the network (with the linear head folded in when there is one); null without class scores.</summary>
    internal GradientEngine? Gradients
    {
        get
        {
            if (_gradients is null && HasClassScores)
            {
                _gradients = new GradientEngine(Graph, Head, SessionExecution);
            }
            return _gradients;
        }
    }

    /// <summary>The class-activation-map layer (Grad-CAM's): <see cref="LayerSelector"/>'s choice or the options' <see cref="VisualizationOptions.CamLayer"/>.</summary>
    internal string LastSpatialTensor() =>
        Layers.Cam?.Tensor
        ?? throw new CnnDiagnosticsException($"model '{Graph.SourceName}' has no layer for class activation maps: {string.Join("; ", Layers.Notes)}; name one with the CamLayer option.");

    /// <summary>The index of the largest value of a per-row score tensor (e.g. a classifier's logits), for every sampled row.</summary>
    internal int[] ArgMax(string tensor) =>
        LinearHead.ArgMaxPerRow(Run([tensor], stage: "predictions")[tensor]);

    /// <summary>The embedding of every sampled row, [N, D] (computed once).</summary>
    public FloatTensor Embeddings
    {
        get
        {
            if (_embeddings is null)
            {
                var e = Run([EmbeddingTensor], stage: "embedding")[EmbeddingTensor];
                _embeddings = e.Reshape(Rows, e.Length / Rows);
            }
            return _embeddings;
        }
    }

    /// <summary>Reports progress of the section's work (shown by the caller's progress handler).</summary>
    /// <param name="stage">What is being done.</param>
    /// <param name="done">Steps done.</param>
    /// <param name="total">Steps in all.</param>
    public void Progress(string stage, long done, long total)
    {
        GarbageBudget.Spend(SessionExecution.CollectAfterAllocatedBytes);
        Options.Progress?.Report(new DiagnosticsProgress(stage, done, total));
    }

    private static FloatTensor Concat(List<FloatTensor> parts)
    {
        int total = parts.Sum(p => p.Shape[0]);
        var data = new float[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var p in parts)
        {
            Array.Copy(p.Data, 0, data, offset, p.Length);
            offset += p.Length;
        }
        return new FloatTensor([total, .. parts[0].Shape[1..]], data);
    }

    /// <summary>
    /// Disposes the ONNX Runtime sessions made so far (forward and gradient); the next use makes them again. Called after
    /// each section, so no section's sessions (and their native memory) live on into the next one.
    /// </summary>
    internal void ReleaseSessions()
    {
        _gradients?.Dispose();
        _gradients = null;
        foreach (var e in _executors.Values) e.Dispose();
        _executors.Clear();
        ReturnFreeMemory();
    }

    /// <summary>
    /// Gives memory the finished work no longer uses back to the system: a section's model copies and batches are
    /// garbage now, and the GC would otherwise keep the regions they took committed into the next section, as glibc
    /// keeps the native heap the disposed sessions freed. One aggressive collection per section costs milliseconds
    /// against a section's seconds.
    /// </summary>
    private static void ReturnFreeMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
    }

    private static ExecutionOptions ForReport(ExecutionOptions? options) => (options ?? new()).WithBoundedMemory(GarbageBytes);

    /// <summary>The garbage the report lets pile up between full collections (its runs and progress steps check it).</summary>
    internal static long GarbageBytes => GarbageBudget.ReportBytes;

    void IDisposable.Dispose() => ReleaseSessions();

    private sealed class TsneProgressAdapter(ReportContext context, string stage) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value) => context.Progress(stage, value.Iteration, value.Iterations);
    }
}
