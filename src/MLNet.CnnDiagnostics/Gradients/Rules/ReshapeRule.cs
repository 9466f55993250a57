using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Flatten, Reshape, Squeeze, Unsqueeze: the gradient reshaped back to the input's run-time shape.</summary>
internal sealed class ReshapeRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Flatten", "Reshape", "Squeeze", "Unsqueeze"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var result = new string?[node.Input.Count];
        result[0] = ctx.ReshapeLike(gy, node.Input[0]);
        return result;
    }
}
