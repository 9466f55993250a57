using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Pow (broadcasting): base gradient gy·e·x^(e−1), which is finite at x = 0 for e ≥ 1 and defined at negative x for
/// integer e (x² works for every x, unlike y·e/x); exponent gradient gy·y·ln x, only when the exponent derives from the
/// image (then the base must be positive). A constant exponent (float or integer) is folded into constants.
/// </summary>
internal sealed class PowOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Pow"];

    public override FieldRule Field => FieldRule.Join;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0], e = node.Input[1], y = node.Output[0];
        var result = new string?[2];
        if (need[0])
        {
            string? slope;
            if (ctx.Constant(e) is { } constant && Numbers(constant) is { } values)
            {
                var dims = constant.Dims.ToArray();
                if (values.All(v => v == 1)) slope = null;
                else if (values.All(v => v == 2)) slope = ctx.Emit("Mul", [x, ctx.Scalar(2f)]);
                else
                {
                    var reduced = ctx.Emit("Pow", [x, ctx.Floats(values.Select(v => (float)(v - 1)).ToArray(), dims)]);
                    slope = ctx.Emit("Mul", [ctx.Floats(values.Select(v => (float)v).ToArray(), dims), reduced]);
                }
            }
            else
            {
                var exponent = ctx.Emit("Cast", [e], GraphAttribute.Int("to", (long)TensorDataType.Float));
                slope = ctx.Emit("Mul", [exponent, ctx.Emit("Pow", [x, ctx.Emit("Sub", [exponent, ctx.Scalar(1f)])])]);
            }
            result[0] = ctx.ReduceToOperand(slope is null ? gy : ctx.Emit("Mul", [gy, slope]), y, x);
        }
        if (need[1])
            result[1] = ctx.ReduceToOperand(ctx.Emit("Mul", [gy, ctx.Emit("Mul", [y, ctx.Emit("Log", [x])])]), y, e);
        return result;
    }

    /// <summary>The values of a float or integer constant, or null for other types.</summary>
    private static double[]? Numbers(GraphTensor t) => t.DataType switch
    {
        (int)TensorDataType.Float => ConstantTensors.ReadFloat(t).Select(v => (double)v).ToArray(),
        (int)TensorDataType.Int64 or (int)TensorDataType.Int32 => ConstantTensors.ReadInt64(t).Select(v => (double)v).ToArray(),
        _ => null,
    };
}
