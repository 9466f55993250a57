using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// LogSoftmax (opset 13+, one axis; older models are rewritten to flatten-at-axis by the opset upgrade):
/// gy − exp(y) · Σ_axis gy.
/// </summary>
internal sealed class LogSoftmaxOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["LogSoftmax"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string FieldDescription => "over channels: position-wise; over rows or columns: the whole image";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        FirstKnown(inputs).IsSpatialAxis(node.GetInteger("axis", -1)) ? FieldStep.Same(FieldFlow.Global(FirstKnown(inputs), node, 0)) : FieldStep.Same(FirstKnown(inputs));

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        long axis = NodeAttributes.GetInt(node, "axis", -1);
        if (axis < 0) axis += ctx.Rank(y);
        var total = ctx.Emit("ReduceSum", [gy, ctx.Int64s(axis)], GraphAttribute.Int("keepdims", 1));
        return [ctx.Emit("Sub", [gy, ctx.Emit("Mul", [ctx.Emit("Exp", [y]), total])])];
    }
}
