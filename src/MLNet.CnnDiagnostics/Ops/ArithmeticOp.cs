using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Add, Sub, Mul, Div with multidirectional broadcasting: each operand's gradient summed over the axes it was broadcast along.</summary>
internal sealed class ArithmeticOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Add", "Sub", "Mul", "Div"];

    public override FieldRule Field => FieldRule.Join;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string a = node.Input[0], b = node.Input[1], y = node.Output[0];
        string? ga = null, gb = null;
        switch (node.OpType)
        {
            case "Add":
                ga = gy; gb = gy;
                break;
            case "Sub":
                ga = gy; gb = need[1] ? ctx.Emit("Neg", [gy]) : null;
                break;
            case "Mul":
                ga = need[0] ? ctx.Emit("Mul", [gy, b]) : null;
                gb = need[1] ? ctx.Emit("Mul", [gy, a]) : null;
                break;
            case "Div":
                ga = need[0] ? ctx.Emit("Div", [gy, b]) : null;
                gb = need[1] ? ctx.Emit("Neg", [ctx.Emit("Div", [ctx.Emit("Mul", [gy, y]), b])]) : null;
                break;
        }
        return
        [
            need[0] && ga is not null ? ctx.ReduceToOperand(ga, y, a) : null,
            need[1] && gb is not null ? ctx.ReduceToOperand(gb, y, b) : null,
        ];
    }
}
