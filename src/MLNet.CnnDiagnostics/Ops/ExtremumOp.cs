using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Max and Min (variadic, broadcasting): the gradient goes to the inputs equal to the result. Ties split it equally
/// among the tied inputs (as PyTorch's maximum/minimum do for two), so Max(x, x) has gradient 1 like x itself; each share
/// is summed over the axes its input was broadcast along.
/// </summary>
internal sealed class ExtremumOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Max", "Min"];

    public override FieldRule Field => FieldRule.Join;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string y = node.Output[0];
        var result = new string?[node.Input.Count];
        if (node.Input.Count == 1)
        {
            result[0] = gy;
            return result;
        }
        var float32 = GraphAttribute.Int("to", (long)TensorDataType.Float);
        var winners = node.Input.Select(x => ctx.Emit("Cast", [ctx.Emit("Equal", [x, y])], float32)).ToArray();
        var share = ctx.Emit("Div", [gy, ctx.Emit("Sum", winners)]);
        for (int i = 0; i < node.Input.Count; i++)
            if (need[i]) result[i] = ctx.ReduceToOperand(ctx.Emit("Mul", [share, winners[i]]), y, node.Input[i]);
        return result;
    }
}
