using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Identity and inference-time Dropout: the gradient passes unchanged.</summary>
internal sealed class IdentityOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Identity", "Dropout"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override int ActivationOutputs => 1;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var result = new string?[node.Input.Count];
        result[0] = gy;
        return result;
    }
}
