using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Softmax (opset 13+, one axis): y · (gy − Σ_axis gy·y).</summary>
internal sealed class SoftmaxRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Softmax"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        string y = node.Output[0];
        long axis = NodeAttributes.GetInt(node, "axis", -1);
        if (axis < 0) axis += ctx.Rank(y);
        var dot = ctx.Emit("ReduceSum", [ctx.Emit("Mul", [gy, y]), ctx.Int64s(axis)], NodeAttributes.Int("keepdims", 1));
        return [ctx.Emit("Mul", [y, ctx.Emit("Sub", [gy, dot])])];
    }
}
