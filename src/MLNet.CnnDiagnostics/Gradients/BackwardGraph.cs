using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// A forward + backward ONNX model built by <see cref="BackwardGraphBuilder"/>: inputs are the image batch and the
/// target's seed; outputs are the target value per item, the requested gradients and extra forward tensors.
/// </summary>
internal sealed class BackwardGraph
{
    private readonly ModelGraph _graph;

    internal BackwardGraph(ModelGraph graph, string inputName, string targetTensor, int[] targetItemShape,
        IReadOnlyDictionary<string, string> gradientOutputs, IReadOnlyList<string> extraOutputs, int? fixedBatch)
    {
        _graph = graph;
        InputName = inputName;
        TargetTensor = targetTensor;
        TargetItemShape = targetItemShape;
        GradientOutputs = gradientOutputs;
        ExtraOutputs = extraOutputs;
        FixedBatch = fixedBatch;
    }

    /// <summary>The model's image input.</summary>
    public string InputName { get; }

    /// <summary>The graph input that takes the target's seed (same shape as the target tensor).</summary>
    public const string SeedName = "target/seed";

    /// <summary>The graph output holding the target value per item, shape [N].</summary>
    public const string TargetValueName = "target/value";

    /// <summary>The tensor the target reads.</summary>
    public string TargetTensor { get; }

    /// <summary>The target tensor's shape without the batch dimension.</summary>
    public int[] TargetItemShape { get; }

    /// <summary>For each differentiated tensor, the graph output that holds its gradient.</summary>
    public IReadOnlyDictionary<string, string> GradientOutputs { get; }

    /// <summary>Forward tensors also returned as outputs (e.g. the layer Grad-CAM reads).</summary>
    public IReadOnlyList<string> ExtraOutputs { get; }

    /// <summary>The batch size the graph is fixed at, or null when the batch dimension is symbolic.</summary>
    public int? FixedBatch { get; }

    /// <summary>The model as ONNX bytes.</summary>
    public byte[] ToBytes() => _graph.ToBytes();

    /// <summary>The model as a <see cref="ModelGraph"/> (for the executor); it shares the forward model's weights.</summary>
    public ModelGraph ToModelGraph() => _graph;
}
