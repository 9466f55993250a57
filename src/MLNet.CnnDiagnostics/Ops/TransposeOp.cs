using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Transpose: the gradient transposed by the inverse permutation.</summary>
internal sealed class TransposeOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Transpose"];

    public override FieldRule Field => FieldRule.Layout;

    public override string FieldDescription => "layout: follows the rows and columns to their new axes (NHWC ↔ NCHW)";

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        if (!input.HasSpatialAxes) return FieldStep.Same(input);
        var perm = node.GetIntegers("perm") ?? Enumerable.Range(0, input.Rank).Reverse().Select(i => (long)i).ToArray();
        int h = Array.IndexOf(perm, (long)input.AxisH), w = Array.IndexOf(perm, (long)input.AxisW);
        if (h < 0 || w < 0) return FieldStep.Fail($"Transpose node '{node.Name}' has a permutation [{string.Join(",", perm)}] that drops a spatial axis");
        if (w < h) return FieldStep.Fail($"Transpose node '{node.Name}' swaps the image's rows and columns");
        return FieldStep.Same(input.WithAxes(h, w, perm.Length));
    }

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        int rank = ctx.Rank(node.Input[0]);
        var perm = NodeAttributes.GetInts(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return [ctx.Emit("Transpose", [gy], GraphAttribute.IntList("perm", inverse))];
    }
}
