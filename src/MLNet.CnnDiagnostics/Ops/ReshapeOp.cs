using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Flatten, Reshape, Squeeze, Unsqueeze: the gradient reshaped back to the input's run-time shape.</summary>
internal sealed class ReshapeOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Flatten", "Reshape", "Squeeze", "Unsqueeze"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "layout: follows the rows and columns; a flatten of a map: the whole image";

    // A reshape that mixes rows and columns with other axes (a Flatten of a map before a Gemm) leaves each value a
    // function of some position; the whole image is the sound answer.
    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        FieldFlow.Relayout(node, FirstKnown(inputs)) is { Outputs: not null } kept ? kept : FieldStep.Same(FieldFlow.Global(FirstKnown(inputs), node, 0));

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var result = new string?[node.Input.Count];
        result[0] = ctx.ReshapeLike(gy, node.Input[0]);
        return result;
    }
}
