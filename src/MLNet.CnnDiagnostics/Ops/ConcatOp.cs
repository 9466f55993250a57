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
        // along a non-batch axis of batch-leading maps the sizes are the probed ones: reading them at run time took a Shape
        // of each input, which made ONNX Runtime reorder every blocked-layout (NCHWc) input to NCHW just for its shape
        string split;
        if (axis != 0 && node.Input.All(x => ctx.TryShape(x) is { Length: > 0 } s && s[0] == ctx.ProbeBatch))
            split = ctx.Int64s(node.Input.Select(x => (long)ctx.Shape(x)[axis]).ToArray());
        else
        {
            var axisIndex = ctx.Int64s(axis);
            split = ctx.Emit("Concat", node.Input.Select(x => ctx.Emit("Gather", [ctx.ShapeOf(x), axisIndex])), GraphAttribute.Int("axis", 0));
        }
        var parts = ctx.EmitMulti("Split", [gy, split], node.Input.Count, GraphAttribute.Int("axis", axis));
        return parts.Select((p, i) => need[i] ? p : null).ToArray();
    }
}
