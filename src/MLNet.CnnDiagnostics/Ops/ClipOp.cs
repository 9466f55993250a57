using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Clip (opset 11+, bounds as inputs): the gradient strictly inside the bounds, zero outside.</summary>
internal sealed class ClipOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Clip"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0];
        string? inside = null;
        if (node.Input.Count > 1 && node.Input[1] != "") inside = ctx.Emit("Greater", [x, node.Input[1]]);
        if (node.Input.Count > 2 && node.Input[2] != "")
        {
            var below = ctx.Emit("Less", [x, node.Input[2]]);
            inside = inside is null ? below : ctx.Emit("And", [inside, below]);
        }
        var result = new string?[node.Input.Count];
        result[0] = inside is null ? gy : ctx.Emit("Where", [inside, gy, ctx.Scalar(0f)]);
        return result;
    }
}
