using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Concat: the gradient split along the axis by the inputs' run-time sizes.</summary>
internal sealed class ConcatOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Concat"];

    public override FieldRule Field => FieldRule.Join;

    public override string FieldDescription => "joins branches along channels: union; along rows or columns: not followed";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        FieldFlow.AlongAxis(node, FirstKnown(inputs), node.GetInteger("axis", 1), "concatenates") is { Reason: { } why } ? FieldStep.Fail(why) : FieldFlow.Join(node, inputs);

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        long axis = NodeAttributes.GetInt(node, "axis", 0);
        if (axis < 0) axis += ctx.Rank(node.Output[0]);
        var axisIndex = ctx.Int64s(axis);
        var sizes = node.Input.Select(x => ctx.Emit("Gather", [ctx.ShapeOf(x), axisIndex])).ToList();
        var split = ctx.Emit("Concat", sizes, GraphAttribute.Int("axis", 0));
        var parts = ctx.EmitMulti("Split", [gy, split], node.Input.Count, GraphAttribute.Int("axis", axis));
        return parts.Select((p, i) => need[i] ? p : null).ToArray();
    }
}
