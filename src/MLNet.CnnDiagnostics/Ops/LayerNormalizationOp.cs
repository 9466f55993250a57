using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// LayerNormalization (opset 17): normalises over the axes from <c>axis</c> (default −1) to the last, then scales and
/// shifts (scale and bias are weights: only X gets a gradient). Only Y is an activation; the optional Mean and
/// InvStdDev outputs are statistics and carry no gradient. Receptive field: position-wise when no normalised axis is
/// a row or column axis (ConvNeXt normalises channels after permuting to NHWC); otherwise each position sees the whole
/// image, and the map keeps its size and layout (later windows still compose).
/// </summary>
internal sealed class LayerNormalizationOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["LayerNormalization"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override int ActivationOutputs => 1;

    public override string FieldDescription => "position-wise over channels; the whole image when it normalises rows or columns";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        int from = input.Normalize(node.GetInteger("axis", -1));
        bool spatial = Enumerable.Range(from, Math.Max(input.Rank - from, 0)).Any(a => input.IsSpatialAxis(a));
        // normalising rows or columns: every position sees the whole image, but the map keeps its size and layout
        return FieldStep.Same(spatial ? input with { Field = FieldFlow.Global(input, node, 0).Field } : input);
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, IReadOnlyList<string?> outputGradients, bool[] needsGradient)
    {
        if (outputGradients.Skip(1).Any(g => g is not null))
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: its Mean or InvStdDev output is used by the differentiated graph; only Y carries a gradient.");
        return base.Backward(ctx, node, outputGradients, needsGradient);
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0];
        var shape = ctx.Shape(x);
        long axis = NodeAttributes.GetInt(node, "axis", -1);
        if (axis < 0) axis += shape.Length;
        var axes = Enumerable.Range((int)axis, shape.Length - (int)axis).Select(a => (long)a).ToArray();
        // the batch axis among them: count the elements at run time
        long? count = axis > 0 ? axes.Aggregate(1L, (p, a) => p * shape[a]) : null;
        var g = ctx.Emit("Mul", [gy, node.Input[1]]);
        return FirstInput(node, NormalizationGradient.Input(ctx, x, g, axes, count, NodeAttributes.GetFloat(node, "epsilon", 1e-5f)));
    }
}
