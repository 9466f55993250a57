using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Cast between float types: the gradient passes unchanged (cast back to float); a cast to an integer type stops it.</summary>
internal sealed class CastOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Cast"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        long to = NodeAttributes.GetInt(node, "to", 0);
        if (to is not ((long)TensorDataType.Float or (long)TensorDataType.Double or (long)TensorDataType.Float16 or (long)TensorDataType.Bfloat16))
            return new string?[node.Input.Count]; // an integer or boolean result carries no gradient
        return FirstInput(node, ctx.Emit("Cast", [gy], GraphAttribute.Int("to", (long)TensorDataType.Float)));
    }
}
