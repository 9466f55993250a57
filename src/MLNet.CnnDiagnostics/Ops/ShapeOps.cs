using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>Shape and Size: read only a tensor's dimensions, so they carry neither a field nor a gradient.</summary>
internal sealed class ShapeOps : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Shape", "Size"];

    public override FieldRule Field => FieldRule.Metadata;

    public override bool Differentiable => false;
}

/// <summary>Ops that build tensors from shapes or from nothing (ConstantOfShape, EyeLike, random fills): no field, no gradient.</summary>
internal sealed class GeneratorOps : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["ConstantOfShape", "EyeLike", "RandomNormalLike", "RandomUniformLike", "Range"];

    public override FieldRule Field => FieldRule.Metadata;

    public override bool Differentiable => false;
}

/// <summary>Element-wise ops whose outputs are piecewise constant (rounding, signs, tests): a field, but a zero gradient, so differentiation stops.</summary>
internal sealed class PiecewiseConstantOps : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Floor", "Ceil", "Round", "Sign", "IsNaN", "IsInf", "Not"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override bool Differentiable => false;
}

/// <summary>Comparisons and logic between tensors: piecewise constant, joined position by position.</summary>
internal sealed class ComparisonOps : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor"];

    public override FieldRule Field => FieldRule.Join;

    public override bool Differentiable => false;
}

/// <summary>ArgMax and ArgMin: indices, no gradient; over channels they keep each position, over rows or columns they mix them.</summary>
internal sealed class ArgExtremumOps : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["ArgMax", "ArgMin"];

    public override FieldRule Field => FieldRule.PositionWise;

    public override bool Differentiable => false;

    internal override FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs)
    {
        var input = FirstKnown(inputs);
        long axis = node.GetInteger("axis", 0);
        if (input.IsSpatialAxis(axis)) return FieldStep.Same(FieldFlow.Global(input, node, 0));
        if (node.GetInteger("keepdims", 1) != 0 || !input.HasSpatialAxes) return FieldStep.Same(input);
        int a = input.Normalize(axis);
        return FieldStep.Same(input.WithAxes(input.AxisH - (a < input.AxisH ? 1 : 0), input.AxisW - (a < input.AxisW ? 1 : 0), input.Rank - 1));
    }
}

/// <summary>NonZero: the positions of non-zero values, a data-dependent shape; neither followed nor differentiated.</summary>
internal sealed class NonZeroOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["NonZero"];

    public override FieldRule Field => FieldRule.NotFollowed;

    public override bool Differentiable => false;
}
