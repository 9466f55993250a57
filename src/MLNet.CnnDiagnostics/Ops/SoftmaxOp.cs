using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Softmax (opset 13+, one axis): y · (gy − Σ_axis gy·y).</summary>
internal sealed class SoftmaxOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Softmax"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string FieldDescription => "over channels: position-wise; over rows or columns: the whole image";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        FieldFlow.AlongAxis(node, FirstKnown(inputs), node.GetInteger("axis", -1), "normalises") is { Reason: not null } ? FieldStep.Same(FieldFlow.Global(FirstKnown(inputs), node, 0)) : FieldStep.Same(FirstKnown(inputs));

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        long axis = NodeAttributes.GetInt(node, "axis", -1);
        if (axis < 0) axis += ctx.Rank(y);
        var dot = ctx.Emit("ReduceSum", [ctx.Emit("Mul", [gy, y]), ctx.Int64s(axis)], GraphAttribute.Int("keepdims", 1));
        return [ctx.Emit("Mul", [y, ctx.Emit("Sub", [gy, dot])])];
    }
}
