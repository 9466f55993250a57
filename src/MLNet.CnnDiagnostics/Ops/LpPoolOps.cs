using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// LpPool and GlobalLpPool, y = (Σ|x|ᵖ)^(1/p) over each window: ∂y/∂x = sign(x)·|x|^(p−1) / y^(p−1), so the gradient is
/// sign(x)·|x|^(p−1) times the windows' gy / y^(p−1) spread back over each window (a ConvTranspose with a kernel of ones,
/// as for AveragePool), or broadcast over the whole map for the global pool.
/// </summary>
internal sealed class LpPoolOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["LpPool", "GlobalLpPool"];

    public override FieldRule Field => FieldRule.Window;

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) =>
        node.OpType == "GlobalLpPool" ? FieldStep.Same(FieldFlow.Global(FirstKnown(inputs), node, 0)) : FieldFlow.Window(node, FirstKnown(inputs));

    public override string FieldDescription => "sliding window (LpPool): composes; global (GlobalLpPool): the whole image";

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        string x = node.Input[0], y = node.Output[0];
        var pAttribute = NodeAttributes.Find(node, "p");
        // opset 1 wrote p as a float; from opset 2 it is an int
        float p = pAttribute is null ? 2f : pAttribute.Kind == GraphAttributeKind.Float ? pAttribute.F : pAttribute.I;
        if (p < 1) throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: p = {p} has no backward rule; p ≥ 1 is supported.");
        // gy / y^(p−1), with the norm kept away from 0 (where every x of the window is 0 and the gradient is 0 anyway)
        string perWindow = p == 1 ? gy : ctx.Emit("Div", [gy, Power(ctx, ctx.Emit("Max", [y, ctx.Scalar(1e-30f)]), p - 1)]);
        string spread = node.OpType == "GlobalLpPool" ? perWindow : Spread(ctx, node, perWindow);
        string local = p == 2 ? x : ctx.Emit("Mul", [ctx.Emit("Sign", [x]), Power(ctx, ctx.Emit("Abs", [x]), p - 1)]);
        return [ctx.Emit("Mul", [local, spread])];
    }

    private static string Power(BackwardContext ctx, string t, float exponent) =>
        exponent == 1 ? t : ctx.Emit("Pow", [t, ctx.Scalar(exponent)]);

    /// <summary>Each window's value added back onto every input position of the window.</summary>
    private static string Spread(BackwardContext ctx, GraphNode node, string perWindow)
    {
        string x = node.Input[0];
        var ys = ctx.Shape(node.Output[0]);
        var kernel = NodeAttributes.GetInts(node, "kernel_shape")
            ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no kernel_shape.");
        var g = ConvGeometry.Resolve(node, kernel, ctx.Shape(x), ys);
        var outSpatial = ys.Skip(2).Select(d => (long)d).ToArray();
        var folded = ctx.Emit("Reshape", [perWindow, ctx.Int64s([-1, 1, .. outSpatial])]);
        var ones = ctx.Floats(Enumerable.Repeat(1f, (int)kernel.Aggregate(1L, (a, b) => a * b)).ToArray(), [1, 1, .. kernel]);
        return ctx.ReshapeLike(ctx.Emit("ConvTranspose", [folded, ones], g.TransposeAttributes(1)), x);
    }
}
