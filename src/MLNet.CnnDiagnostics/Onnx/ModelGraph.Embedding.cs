using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    private static readonly HashSet<string> HeadPassThroughOps =
        ["Softmax", "LogSoftmax", "Identity", "Dropout", "Sigmoid", "Add", "Reshape", "Squeeze", "Flatten", "Relu", "GlobalAveragePool", "ReduceMean", "Cast"];
    private static readonly HashSet<string> PoolingOps = ["GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "ReduceMean", "ReduceMax"];
    private static readonly HashSet<string> SoftmaxOps = ["Softmax", "LogSoftmax"];
    private static readonly HashSet<string> ShapeKeepingOps = ["Identity", "Reshape", "Squeeze", "Flatten", "Cast"];

    /// <summary>
    /// The model's final classifier layer: the Gemm or MatMul that produces the logits, or a 1×1 convolution whose
    /// channels become the logits through a global pool (SqueezeNet, NiN); null for a featurizer without one.
    /// </summary>
    public LayerInfo? FindClassifierLayer()
    {
        string tensor = Proto.Graph.Output[0].Name;
        for (int guard = 0; guard < 16 && _producers.TryGetValue(tensor, out var node); guard++)
        {
            if (node.OpType is "Gemm" or "MatMul") return Layers[Proto.Graph.Node.IndexOf(node)];
            if (node.OpType == "Conv" && IsConvolutionHead(node)) return Layers[Proto.Graph.Node.IndexOf(node)];
            if (!HeadPassThroughOps.Contains(node.OpType)) return null;
            tensor = node.Input.FirstOrDefault(i => !IsWeight(i)) ?? "";
        }
        return null;
    }

    // A 1×1 convolution whose output reaches the graph output through a global average (and position-wise ops) only.
    private bool IsConvolutionHead(NodeProto conv)
    {
        var layer = Layers[Proto.Graph.Node.IndexOf(conv)];
        if (layer.Convolution is not { } c || c.Kernel.Any(k => k != 1)) return false;
        var output = Outputs[0].Shape;
        return output is { Length: >= 2 } && output.Skip(2).All(d => d == 1) && layer.OutputShape is { Length: 4 } s && s[1] == output[1]
            && Proto.Graph.Node.Skip(layer.Index + 1).Any(n => n.OpType is "GlobalAveragePool" or "ReduceMean" or "AveragePool");
    }

    /// <summary>
    /// The tensor holding the class scores before any final Softmax: attributions explain logits, as Captum and
    /// pytorch-grad-cam users expect, because a softmax output's gradient mostly measures the other classes.
    /// </summary>
    public string FindLogitsTensor() => LogitsTensorOf(Proto.Graph, _producers);

    /// <summary>True when the model's output passes through a Softmax or LogSoftmax (the logits are then its input).</summary>
    public bool EndsInSoftmax => FindLogitsTensor() != Proto.Graph.Output[0].Name;

    internal static string LogitsTensorOf(GraphProto graph, IReadOnlyDictionary<string, NodeProto>? producers = null)
    {
        producers ??= graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().n);
        string output = graph.Output[0].Name, tensor = output;
        for (int guard = 0; guard < 8 && producers.TryGetValue(tensor, out var node); guard++)
        {
            if (SoftmaxOps.Contains(node.OpType)) return node.Input[0];
            if (!ShapeKeepingOps.Contains(node.OpType)) break;
            tensor = node.Input[0];
        }
        return output;
    }

    /// <summary>
    /// The tensor that serves as the image embedding by default, as in the lesson: the input of the final classifier
    /// layer (penultimate features); for a model without a classifier, its last pooled tensor; else its first output.
    /// </summary>
    public string FindEmbeddingTensor()
    {
        var classifier = FindClassifierLayer();
        if (classifier is not null) return classifier.Inputs.First(i => !IsWeight(i));
        var pooled = Layers.LastOrDefault(l => PoolingOps.Contains(l.OpType));
        return pooled?.Outputs[0] ?? Proto.Graph.Output[0].Name;
    }
}
