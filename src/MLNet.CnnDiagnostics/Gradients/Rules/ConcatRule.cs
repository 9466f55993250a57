using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>Concat: the gradient split along the axis by the inputs' run-time sizes.</summary>
internal sealed class ConcatRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["Concat"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        long axis = NodeAttributes.GetInt(node, "axis", 0);
        if (axis < 0) axis += ctx.Rank(node.Output[0]);
        var axisIndex = ctx.Int64s(axis);
        var sizes = node.Input.Select(x => ctx.Emit("Gather", [ctx.ShapeOf(x), axisIndex])).ToList();
        var split = ctx.Emit("Concat", sizes, NodeAttributes.Int("axis", 0));
        var parts = ctx.EmitMulti("Split", [gy, split], node.Input.Count, NodeAttributes.Int("axis", axis));
        return parts.Select((p, i) => need[i] ? p : null).ToArray();
    }
}
