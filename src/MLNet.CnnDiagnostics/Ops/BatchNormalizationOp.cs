using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>BatchNormalization (inference): a per-channel scale, scale / sqrt(var + epsilon).</summary>
internal sealed class BatchNormalizationOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["BatchNormalization"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override int ActivationOutputs => 1;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        if (NodeAttributes.GetInt(node, "training_mode", 0) != 0)
            throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} runs in training mode; only inference BatchNormalization is supported.");
        float epsilon = NodeAttributes.GetFloat(node, "epsilon", 1e-5f);
        int rank = ctx.Rank(node.Input[0]);
        string perChannel;
        if (ctx.Constant(node.Input[1]) is { DataType: (int)TensorDataType.Float } scale
            && ctx.Constant(node.Input[4]) is { DataType: (int)TensorDataType.Float } variance)
        {
            // a constant per-channel vector: the backward graph's post-pass can fold it into the Conv gradient that reads it
            var s = scale.ReadFloat();
            var v = variance.ReadFloat();
            var factors = s.Select((si, c) => (float)(si / Math.Sqrt((double)v[c] + epsilon))).ToArray();
            perChannel = ctx.Floats(factors, [factors.Length, .. Enumerable.Repeat(1L, rank - 2)]);
        }
        else
        {
            var std = ctx.Emit("Sqrt", [ctx.Emit("Add", [node.Input[4], ctx.Scalar(epsilon)])]);
            var factor = ctx.Emit("Div", [node.Input[1], std]);
            perChannel = ctx.Emit("Reshape", [factor, ctx.Int64s([-1, .. Enumerable.Repeat(1L, rank - 2)])]);
        }
        var result = new string?[node.Input.Count];
        result[0] = ctx.Emit("Mul", [gy, perChannel]);
        return result;
    }
}
