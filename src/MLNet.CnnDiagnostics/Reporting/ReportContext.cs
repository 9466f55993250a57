using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Everything a report section may use: the network, the sampled images, labels, predictions and the head.</summary>
internal sealed class ReportContext : IDisposable
{
    private readonly Dictionary<string, OnnxExecutor> _executors = [];
    private FloatTensor? _embeddings;

    public ReportContext(ModelGraph graph, string embeddingTensor, FloatTensor images, VisualizationOptions options)
    {
        Graph = graph;
        BatchedGraph = graph.HasSymbolicBatch ? graph : graph.WithSymbolicBatch();
        EmbeddingTensor = embeddingTensor;
        Images = images;
        Options = options;
    }

    public ModelGraph Graph { get; }

    public ModelGraph BatchedGraph { get; }

    public string EmbeddingTensor { get; }

    /// <summary>The sampled rows as model inputs [N, C, H, W].</summary>
    public FloatTensor Images { get; }

    public int Rows => Images.Shape[0];

    public VisualizationOptions Options { get; }

    /// <summary>Class index per row (-1 where missing), or null without labels.</summary>
    public int[]? Labels { get; init; }

    /// <summary>Predicted class index per row, or null without a classifier.</summary>
    public int[]? Predictions { get; init; }

    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Linear head on the embedding: weights [classes, features], or null.</summary>
    public FloatTensor? HeadWeights { get; init; }

    public float[]? HeadBiases { get; init; }

    public string ClassName(int index) => index >= 0 && index < ClassNames.Count ? ClassNames[index] : index.ToString();

    /// <summary>A sampled row as a displayable image (inverse of the preprocessing given in the options).</summary>
    public RgbImage Image(int row) => RgbImage.FromChw(Images.Slice(row), Options.PixelMean, Options.PixelStd, Options.PixelMaxValue, Options.ChannelsAreBgr);

    /// <summary>Runs the network on the given rows (in batches) and returns the requested tensors stacked over those rows.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Run(IReadOnlyList<string> tensors, IReadOnlyList<int>? rows = null, string? stage = null)
    {
        rows ??= Enumerable.Range(0, Rows).ToList();
        string key = string.Join("|", tensors);
        if (!_executors.TryGetValue(key, out var exec))
            _executors[key] = exec = new OnnxExecutor(BatchedGraph.WithOnlyOutputs(tensors), Options.Execution);
        var parts = tensors.ToDictionary(t => t, _ => new List<FloatTensor>());
        for (int start = 0; start < rows.Count; start += Options.BatchSize)
        {
            var batch = FloatTensor.Stack(rows.Skip(start).Take(Options.BatchSize).Select(Images.Slice).ToList());
            foreach (var (name, value) in exec.Run(batch)) parts[name].Add(value);
            if (stage is not null) Progress(stage, Math.Min(start + Options.BatchSize, rows.Count), rows.Count);
        }
        return parts.ToDictionary(p => p.Key, p => Concat(p.Value));
    }

    /// <summary>The embedding of every sampled row, [N, D].</summary>
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

    public void Progress(string stage, long done, long total) => Options.Progress?.Report(new DiagnosticsProgress(stage, done, total));

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

    public void Dispose()
    {
        foreach (var e in _executors.Values) e.Dispose();
        _executors.Clear();
    }
}
