using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Split: the outputs' gradients concatenated back along the axis, zeros for outputs that receive none.</summary>
internal sealed class SplitOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Split"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "along channels: position-wise; along rows or columns: not followed";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        FieldFlow.AlongAxis(node, FirstKnown(inputs), node.GetInteger("axis", 0), "splits");

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string outputGradient, bool[] needsGradient) =>
        Backward(ctx, node, [outputGradient, .. Enumerable.Repeat<string?>(null, node.Output.Count - 1)], needsGradient);

    public override string?[] Backward(BackwardContext ctx, GraphNode node, IReadOnlyList<string?> outputGradients, bool[] needsGradient)
    {
        OnlyInputs(node, needsGradient, 0);
        var result = new string?[node.Input.Count];
        if (!needsGradient[0]) return result;
        long axis = NodeAttributes.GetInt(node, "axis", 0);
        if (axis < 0) axis += ctx.Rank(node.Input[0]);
        var parts = node.Output.Select((output, i) => outputGradients[i] ?? ctx.Emit("ConstantOfShape", [ctx.ShapeOf(output)])).ToList();
        result[0] = ctx.Emit("Concat", parts, GraphAttribute.Int("axis", axis));
        return result;
    }
}
