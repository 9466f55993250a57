using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Cast between float types: the gradient passes unchanged (cast back to float); a cast to an integer type stops it.</summary>
internal sealed class CastOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Cast"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        long to = NodeAttributes.GetInt(node, "to", 0);
        if (to is not ((long)TensorProto.Types.DataType.Float or (long)TensorProto.Types.DataType.Double or (long)TensorProto.Types.DataType.Float16 or (long)TensorProto.Types.DataType.Bfloat16))
            return new string?[node.Input.Count]; // an integer or boolean result carries no gradient
        return FirstInput(node, ctx.Emit("Cast", [gy], NodeAttributes.Int("to", (long)TensorProto.Types.DataType.Float)));
    }
}
