using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Gather and GatherElements (indices constant or computed, scalar or any rank, negative allowed): the gradient of the
/// data is scatter-added back to the gathered elements, so an element gathered twice receives both gradients.
/// </summary>
internal sealed class GatherOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Gather", "GatherElements"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "gathers along one axis: position-wise unless that axis holds rows or columns";

    // Gathering channels keeps each position; Gather replaces its axis by the indices' axes (none for a scalar index),
    // which moves the rows and columns of a channels-first map.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        if (inputs[0] is not { } input) return FieldStep.Fail($"{node.OpType} node '{node.Name}' gathers with indices computed from the image");
        long axis = node.GetInteger("axis", 0);
        if (FieldFlow.AlongAxis(node, input, axis, "gathers") is { Reason: { } why }) return FieldStep.Fail(why);
        if (!input.HasSpatialAxes || node.OpType == "GatherElements") return FieldStep.Same(input);
        var shape = node.OutputShape(0);
        if (shape is null) return FieldStep.Same(input);
        int shift = shape.Length - input.Rank, a = input.Normalize(axis);
        return FieldStep.Same(input.WithAxes(input.AxisH + (a < input.AxisH ? shift : 0), input.AxisW + (a < input.AxisW ? shift : 0), shape.Length));
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        return FirstInput(node, IndexRouting.Backward(ctx, node, gy));
    }
}
