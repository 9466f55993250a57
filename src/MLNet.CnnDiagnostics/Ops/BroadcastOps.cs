using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Expand (shape constant or computed): the gradient summed over the broadcast axes.</summary>
internal sealed class ExpandOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Expand"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "broadcast: positions kept (a single position broadcast over a map stays a gate)";

    // Expanding channels or prepending axes keeps each row and column; a single position broadcast over a map keeps
    // its one field (a gate, as after a global pool); broadcasting one row or column over many is not followed.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        if (inputs[0] is not { } input) return FieldStep.Fail($"Expand node '{node.Name}' expands to a shape computed from the image");
        var shape = node.OutputShape(0);
        if (shape is null) return FieldStep.Same(input);
        if (!input.HasSpatialAxes || input.Height * input.Width == 1)
            return FieldStep.Same(input with { AxisH = input.HasSpatialAxes ? input.AxisH + shape.Length - input.Rank : -1, AxisW = input.HasSpatialAxes ? input.AxisW + shape.Length - input.Rank : -1, Rank = shape.Length });
        int shift = shape.Length - input.Rank;
        if (shape[input.AxisH + shift] != input.Height || shape[input.AxisW + shift] != input.Width)
            return FieldStep.Fail($"Expand node '{node.Name}' broadcasts image rows or columns to [{string.Join(",", shape)}]");
        return FieldStep.Same(input.WithAxes(input.AxisH + shift, input.AxisW + shift, shape.Length));
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        return FirstInput(node, ctx.ReduceToOperand(gy, node.Output[0], node.Input[0]));
    }
}

/// <summary>Tile (repeats constant or computed): each input element receives the sum of the gradients of its copies.</summary>
internal sealed class TileOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Tile"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "tiles: position-wise when only non-spatial axes repeat";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        if (inputs[0] is not { } input) return FieldStep.Fail($"Tile node '{node.Name}' repeats by counts computed from the image");
        if (!input.HasSpatialAxes) return FieldStep.Same(input);
        var repeats = node.GetIntegers("input1");
        var shape = node.OutputShape(0);
        bool spatialKept = repeats is not null
            ? repeats.Length == input.Rank && repeats[input.AxisH] == 1 && repeats[input.AxisW] == 1
            : FieldFlow.Spatial(shape, input.AxisH, input.AxisW) is { } hw && hw[0] == input.Height && hw[1] == input.Width;
        return spatialKept ? FieldStep.Same(input) : FieldStep.Fail($"Tile node '{node.Name}' repeats the image's rows or columns, so a position has several fields");
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        return FirstInput(node, IndexRouting.Backward(ctx, node, gy));
    }
}
