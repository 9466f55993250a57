using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients.Rules;

/// <summary>ReduceMean and ReduceSum (axes as attribute or input): the gradient broadcast back, divided by the count for the mean.</summary>
internal sealed class ReduceRule : BackwardRule
{
    public override IReadOnlyList<string> OpTypes => ["ReduceMean", "ReduceSum"];

    public override string?[] Backward(BackwardContext ctx, NodeProto node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        string x = node.Input[0], y = node.Output[0];
        int rank = ctx.Rank(x);
        long[]? axes = NodeAttributes.GetInts(node, "axes");
        if (axes is null && node.Input.Count > 1 && node.Input[1] != "")
            axes = ConstantTensors.ReadInt64(ctx.Constant(node.Input[1])
                ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: the axes input '{node.Input[1]}' must be a constant."));
        var result = new string?[node.Input.Count];
        if ((axes is null || axes.Length == 0) && NodeAttributes.GetInt(node, "noop_with_empty_axes", 0) != 0)
        {
            result[0] = gy;
            return result;
        }
        var reduced = (axes is null || axes.Length == 0 ? Enumerable.Range(0, rank).Select(i => (long)i) : axes.Select(a => a < 0 ? a + rank : a))
            .OrderBy(a => a).ToArray();
        string g = NodeAttributes.GetInt(node, "keepdims", 1) != 0 ? gy : ctx.Emit("Unsqueeze", [gy, ctx.Int64s(reduced)]);
        if (node.OpType == "ReduceMean") g = ctx.Emit("Div", [g, ctx.SizeRatio(x, y)]);
        result[0] = ctx.Emit("Expand", [g, ctx.ShapeOf(x)]);
        return result;
    }
}
