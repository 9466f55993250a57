using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Relu: the gradient where the input is positive; in guided backprop also only where the gradient is positive.
/// The mask reads the output (y &gt; 0 exactly where x &gt; 0), so the input stays private to the forward pass and ONNX
/// Runtime can still fuse the producing Conv (and BatchNormalization) with the Relu.
/// </summary>
internal sealed class ReluOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Relu"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        var passed = ctx.GuidedRelu ? ctx.Emit("Relu", [gy]) : gy;
        if (BlockedLayoutMask.Applies(ctx, node.Output[0]))
            return [ctx.Emit("Mul", [passed, BlockedLayoutMask.Compare(ctx, node.Output[0], 0f)])];
        var zero = ctx.Scalar(0f);
        var positive = ctx.Emit("Greater", [node.Output[0], zero]);
        return [ctx.Emit("Where", [positive, passed, zero])];
    }
}
