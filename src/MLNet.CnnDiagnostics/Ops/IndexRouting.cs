using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Backward passes of ops that only copy elements (Slice, Gather, GatherElements, Tile, nearest resizing): the forward
/// node is run once more on the flat index of every input element (an "iota" tensor of the input's run-time shape), which
/// tells, for each output element, the input element it was copied from; the output gradient is then scatter-added into
/// zeros at those indices (repeated indices add up). The node's other inputs (starts, indices, repeats) are read as the
/// forward graph computes them, so shape arithmetic feeding them needs no folding.
/// </summary>
internal static class IndexRouting
{
    /// <summary>
    /// The gradient of data input <paramref name="dataInput"/> of <paramref name="node"/>: <paramref name="gy"/> routed
    /// back through a copy of the node applied to the input's flat indices (cast to <paramref name="indexType"/> for ops
    /// that do not take int64, such as Resize).
    /// </summary>
    public static string Backward(BackwardContext ctx, GraphNode node, string gy, int dataInput = 0,
        TensorDataType indexType = TensorDataType.Int64)
    {
        string x = node.Input[dataInput];
        var iota = Iota(ctx, x);
        if (indexType != TensorDataType.Int64) iota = Cast(ctx, iota, indexType);
        var inputs = node.Input.ToArray();
        inputs[dataInput] = iota;
        var routed = ctx.EmitMulti(node.OpType, inputs, 1, node.Attributes.ToArray())[0];
        if (indexType != TensorDataType.Int64) routed = Cast(ctx, routed, TensorDataType.Int64);
        return ScatterAdd(ctx, x, routed, gy);
    }

    /// <summary>The flat index of every element of <paramref name="x"/> (int64, in <paramref name="x"/>'s run-time shape).</summary>
    public static string Iota(BackwardContext ctx, string x)
    {
        var range = ctx.Emit("Range", [ScalarInt64(ctx, 0), ctx.Emit("Size", [x]), ScalarInt64(ctx, 1)]);
        return ctx.Emit("Reshape", [range, ctx.ShapeOf(x)]);
    }

    /// <summary>Zeros of <paramref name="x"/>'s run-time shape with <paramref name="values"/> added at the flat <paramref name="indices"/>.</summary>
    public static string ScatterAdd(BackwardContext ctx, string x, string indices, string values)
    {
        var size = ctx.Emit("Reshape", [ctx.Emit("Size", [x]), ctx.Int64s(1)]);
        var zeros = ctx.Emit("ConstantOfShape", [size]);
        var flatIndices = ctx.Emit("Reshape", [indices, ctx.Int64s(-1)]);
        var flatValues = ctx.Emit("Reshape", [values, ctx.Int64s(-1)]);
        var scattered = ctx.Emit("ScatterElements", [zeros, flatIndices, flatValues],
            GraphAttribute.Int("axis", 0), GraphAttribute.String("reduction", "add"));
        return ctx.ReshapeLike(scattered, x);
    }

    /// <summary>A scalar (rank 0) int64 constant, as Range needs.</summary>
    public static string ScalarInt64(BackwardContext ctx, long value) =>
        ctx.Emit("Constant", [], GraphAttribute.FromTensor("value", GraphTensor.Int64("", [value], [])));

    private static string Cast(BackwardContext ctx, string x, TensorDataType to) =>
        ctx.Emit("Cast", [x], GraphAttribute.Int("to", (long)to));
}
