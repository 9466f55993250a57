using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Sum and Mean (variadic, broadcasting): each input gets the gradient (divided by the input count for Mean), summed over the axes it was broadcast along.</summary>
internal sealed class SumMeanOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Sum", "Mean"];

    public override FieldRule Field => FieldRule.Join;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        string g = node.OpType == "Mean" && node.Input.Count > 1 ? ctx.Emit("Div", [gy, ctx.Scalar(node.Input.Count)]) : gy;
        var result = new string?[node.Input.Count];
        for (int i = 0; i < node.Input.Count; i++)
            if (need[i]) result[i] = ctx.ReduceToOperand(g, y, node.Input[i]);
        return result;
    }
}
