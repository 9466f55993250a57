namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    private static readonly HashSet<string> HeadPassThroughOps = ["Softmax", "LogSoftmax", "Identity", "Dropout", "Sigmoid", "Add", "Reshape", "Squeeze", "Flatten"];
    private static readonly HashSet<string> PoolingOps = ["GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "ReduceMean", "ReduceMax"];

    /// <summary>The model's final classifier layer (the Gemm or MatMul that produces the logits), or null for a featurizer without one.</summary>
    public LayerInfo? FindClassifierLayer()
    {
        string tensor = Proto.Graph.Output[0].Name;
        for (int guard = 0; guard < 16 && _producers.TryGetValue(tensor, out var node); guard++)
        {
            if (node.OpType is "Gemm" or "MatMul") return Layers[Proto.Graph.Node.IndexOf(node)];
            if (!HeadPassThroughOps.Contains(node.OpType)) return null;
            tensor = node.Input.FirstOrDefault(i => !IsWeight(i)) ?? "";
        }
        return null;
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
