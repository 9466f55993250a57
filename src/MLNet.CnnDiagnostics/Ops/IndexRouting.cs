using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

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
    public static string Backward(BackwardContext ctx, NodeProto node, string gy, int dataInput = 0,
        TensorProto.Types.DataType indexType = TensorProto.Types.DataType.Int64)
    {
        string x = node.Input[dataInput];
        var iota = Iota(ctx, x);
        if (indexType != TensorProto.Types.DataType.Int64) iota = Cast(ctx, iota, indexType);
        var inputs = node.Input.ToArray();
        inputs[dataInput] = iota;
        var routed = ctx.EmitMulti(node.OpType, inputs, 1, node.Attribute.Select(a => a.Clone()).ToArray())[0];
        if (indexType != TensorProto.Types.DataType.Int64) routed = Cast(ctx, routed, TensorProto.Types.DataType.Int64);
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
            NodeAttributes.Int("axis", 0), NodeAttributes.String("reduction", "add"));
        return ctx.ReshapeLike(scattered, x);
    }

    /// <summary>A scalar (rank 0) int64 constant, as Range needs.</summary>
    public static string ScalarInt64(BackwardContext ctx, long value) =>
        ctx.Emit("Constant", [], new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = ConstantTensors.Int64("", [value], []),
        });

    private static string Cast(BackwardContext ctx, string x, TensorProto.Types.DataType to) =>
        ctx.Emit("Cast", [x], NodeAttributes.Int("to", (long)to));
}
