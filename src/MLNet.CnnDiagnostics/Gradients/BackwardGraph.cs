using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// A forward + backward ONNX model built by <see cref="BackwardGraphBuilder"/>: inputs are the image batch and the
/// target's seed; outputs are the target value per item, the requested gradients and extra forward tensors.
/// </summary>
public sealed class BackwardGraph
{
    internal BackwardGraph(ModelProto proto, string inputName, string targetTensor, int[] targetItemShape,
        IReadOnlyDictionary<string, string> gradientOutputs, IReadOnlyList<string> extraOutputs, int? fixedBatch)
    {
        Proto = proto;
        InputName = inputName;
        TargetTensor = targetTensor;
        TargetItemShape = targetItemShape;
        GradientOutputs = gradientOutputs;
        ExtraOutputs = extraOutputs;
        FixedBatch = fixedBatch;
    }

    internal ModelProto Proto { get; }

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
    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>The model as a <see cref="ModelGraph"/> (for the executor); it shares this graph's weights rather than parsing a serialised copy.</summary>
    public ModelGraph ToModelGraph() => ModelGraph.FromEdited(Proto, FixedBatch is null ? "backward graph" : $"backward graph (batch {FixedBatch})");
}
