using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Identity and inference-time Dropout: the gradient passes unchanged.</summary>
internal sealed class IdentityRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Identity", "Dropout"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var result = new string?[node.Input.Count];
        result[0] = gy;
        return result;
    }
}
