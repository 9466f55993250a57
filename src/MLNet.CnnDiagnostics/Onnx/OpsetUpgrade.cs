using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// What raising a graph to a newer opset (<see cref="TargetOpset"/> for backward graphs: ScatterElements with
/// reduction=add needs 16) involves: which ops changed at which opsets, and which of those changes
/// <see cref="GraphRewriter.UpgradeOpset"/> rewrites.
/// </summary>
internal static class OpsetUpgrade
{
    /// <summary>The opset backward graphs are written in (unless the model's own is newer).</summary>
    public const long TargetOpset = 17;

    /// <summary>The model's default-domain opset.</summary>
    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => !o.HasDomain || o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    /// <summary>Ops that <see cref="GraphRewriter.UpgradeOpset"/> rewrites, with the opsets from which a node written for an older opset would be invalid or mean something else.</summary>
    internal static readonly Dictionary<string, int[]> RewrittenChanges = new()
    {
        ["Add"] = [7], ["Sub"] = [7], ["Mul"] = [7], ["Div"] = [7], ["Gemm"] = [7],
        ["BatchNormalization"] = [7, 9, 14], ["Dropout"] = [7, 10, 12], ["Clip"] = [11], ["Pad"] = [11],
        ["Reshape"] = [5], ["ReduceSum"] = [13], ["Squeeze"] = [13], ["Unsqueeze"] = [13], ["Split"] = [13, 18],
        ["Softmax"] = [13], ["LogSoftmax"] = [13], ["Hardmax"] = [13],
        ["ReduceMean"] = [18], ["ReduceMax"] = [18], ["ReduceMin"] = [18], ["ReduceProd"] = [18], ["ReduceL1"] = [18],
        ["ReduceL2"] = [18], ["ReduceLogSum"] = [18], ["ReduceLogSumExp"] = [18], ["ReduceSumSquare"] = [18],
        ["Slice"] = [10], ["Upsample"] = [9, 10], ["Resize"] = [11],
    };

    /// <summary>Ops whose meaning changed at these opsets in ways <see cref="GraphRewriter.UpgradeOpset"/> does not rewrite.</summary>
    private static readonly Dictionary<string, int[]> UnrewrittenChanges = new()
    {
        ["TopK"] = [10], ["Cast"] = [6], ["Concat"] = [4], ["Tile"] = [6],
        ["GroupNormalization"] = [21],   // scale and bias per group at 18, per channel from 21
    };

    /// <summary>Ops that only gained types or optional attributes whose defaults keep the old meaning.</summary>
    private static readonly HashSet<string> KeepMeaning =
    [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Relu", "LeakyRelu", "PRelu",
        "Elu", "Selu", "Sigmoid", "HardSigmoid", "Tanh", "Softplus", "Softsign", "Flatten", "Identity", "Transpose", "Shape",
        "Gather", "Constant", "MatMul", "Sum", "Max", "Min", "Mean", "Pow", "Exp", "Log", "Sqrt", "Abs", "Neg", "Reciprocal",
        "Floor", "Ceil", "Erf", "Sign", "Equal", "Greater", "Less", "Where", "Expand", "ConstantOfShape", "LRN",
        "InstanceNormalization", "ArgMax", "ArgMin", "HardSwish", "Celu", "ThresholdedRelu", "Mish", "Gelu", "LayerNormalization",
        "LpPool", "GlobalLpPool", "GatherElements",
    ];

    /// <summary>The default-domain op types in <paramref name="model"/> that <see cref="GraphRewriter.UpgradeOpset"/> cannot carry to <paramref name="target"/>.</summary>
    public static IReadOnlyList<string> Unconvertible(ModelProto model, long target)
    {
        long from = Opset(model);
        return model.Graph.Node.Where(n => !n.HasDomain || n.Domain is "" or "ai.onnx").Select(n => n.OpType).Distinct()
            .Where(op => !KeepMeaning.Contains(op) && !RewrittenChanges.ContainsKey(op)
                && (!UnrewrittenChanges.TryGetValue(op, out var changes) || changes.Any(v => from < v && v <= target)))
            .Order(StringComparer.Ordinal).ToList();
    }
}
