using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Clip (opset 11+, bounds as inputs): the gradient strictly inside the bounds, zero outside. The masks read the output
/// (lo &lt; y &lt; hi exactly where lo &lt; x &lt; hi), so ONNX Runtime still fuses the producing Conv with the Clip (ReLU6);
/// with constant bounds on a blocked-layout map they are <see cref="BlockedLayoutMask"/>s.
/// </summary>
internal sealed class ClipOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Clip"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string y = node.Output[0];
        string? min = node.Input.Count > 1 && node.Input[1] != "" ? node.Input[1] : null;
        string? max = node.Input.Count > 2 && node.Input[2] != "" ? node.Input[2] : null;
        var result = new string?[node.Input.Count];
        float? lo = min is null ? null : BlockedLayoutMask.Bound(ctx, min), hi = max is null ? null : BlockedLayoutMask.Bound(ctx, max);
        if (BlockedLayoutMask.Applies(ctx, y) && (min is null || lo is not null) && (max is null || hi is not null))
        {
            string g = gy;
            if (lo is { } l) g = ctx.Emit("Mul", [g, BlockedLayoutMask.Compare(ctx, y, l)]);
            if (hi is { } h) g = ctx.Emit("Mul", [g, BlockedLayoutMask.Compare(ctx, y, h, below: true)]);
            result[0] = g;
            return result;
        }
        string? inside = min is null ? null : ctx.Emit("Greater", [y, min]);
        if (max is not null)
        {
            var below = ctx.Emit("Less", [y, max]);
            inside = inside is null ? below : ctx.Emit("And", [inside, below]);
        }
        result[0] = inside is null ? gy : ctx.Emit("Where", [inside, gy, ctx.Scalar(0f)]);
        return result;
    }
}
