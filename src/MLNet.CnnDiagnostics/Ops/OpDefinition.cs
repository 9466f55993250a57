using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Everything the library needs to know of one ONNX op (or op family), in one place: how it carries a receptive field
/// (<see cref="Field"/>, refined by <see cref="CarryField"/> where attributes matter) and its backward pass, written as
/// ONNX ops: given the gradient of the op's outputs, <see cref="Backward(BackwardContext, GraphNode, string, bool[])"/>
/// emits nodes computing the gradients of its inputs. <see cref="OpTable"/> collects every definition of this assembly;
/// adding an op is one class deriving from this one, plus its test.
/// </summary>
internal abstract class OpDefinition
{
    /// <summary>The ONNX op types (default domain) this definition describes.</summary>
    public abstract IReadOnlyList<string> OpTypes { get; }

    /// <summary>How the op carries a receptive field from its inputs to its outputs.</summary>
    public abstract FieldRule Field { get; }

    /// <summary>How many of the op's outputs are activations (the rest are indices, masks or statistics).</summary>
    public virtual int ActivationOutputs => int.MaxValue;

    /// <summary>False for ops whose outputs carry no gradient (shapes, comparisons, rounding): differentiation stops there.</summary>
    public virtual bool Differentiable => true;

    /// <summary>
    /// Emits the backward nodes of <paramref name="node"/>. Returns one gradient name per input (null where
    /// <paramref name="needsGradient"/> is false or the input is not differentiable).
    /// </summary>
    public virtual string?[] Backward(BackwardContext ctx, GraphNode node, string outputGradient, bool[] needsGradient) =>
        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no backward rule.");

    /// <summary>
    /// Emits the backward nodes of a node given the gradients of all its outputs (null where an output receives none).
    /// By default only the first output carries a gradient (the others are indices or statistics).
    /// </summary>
    public virtual string?[] Backward(BackwardContext ctx, GraphNode node, IReadOnlyList<string?> outputGradients, bool[] needsGradient) =>
        outputGradients[0] is { } first ? Backward(ctx, node, first, needsGradient) : new string?[node.Input.Count];

    /// <summary>
    /// The receptive field of each output, given the spatial values of the inputs that derive from the image
    /// (<paramref name="inputs"/>, in the node's input order; null for weights and constants). The default follows
    /// <see cref="Field"/>; ops whose behaviour depends on an axis override it.
    /// </summary>
    internal virtual FieldStep CarryField(ReceptiveFieldNode node, IReadOnlyList<SpatialValue?> inputs) => Field switch
    {
        FieldRule.PositionWise => FieldStep.Same(FirstKnown(inputs)),
        FieldRule.Join => FieldFlow.Join(node, inputs),
        FieldRule.Global => FieldStep.Same(FieldFlow.Global(FirstKnown(inputs), node, 0)),
        FieldRule.Window => FieldFlow.Window(node, FirstKnown(inputs)),
        FieldRule.Layout => FieldFlow.Relayout(node, FirstKnown(inputs)),
        FieldRule.Metadata => FieldStep.Metadata,
        _ => FieldStep.Fail($"it comes from {node.OpType} node '{node.Name}', which the receptive-field calculator does not follow ({FieldFlow.NotFollowedReason(node.OpType)})"),
    };

    /// <summary>A one-line description of the op's receptive-field behaviour, for the README's op table.</summary>
    public virtual string FieldDescription => Field switch
    {
        FieldRule.Window => "sliding window: composes",
        FieldRule.PositionWise => "position-wise: unchanged",
        FieldRule.Join => "joins branches: union (a per-channel vector broadcast over a map keeps the map's field)",
        FieldRule.Global => "global: the whole image",
        FieldRule.Layout => "layout: follows the spatial axes",
        FieldRule.Metadata => "metadata only (no activation)",
        _ => "not followed",
    };

    protected static SpatialValue FirstKnown(IReadOnlyList<SpatialValue?> inputs) =>
        inputs.FirstOrDefault(i => i is not null) ?? throw new InvalidOperationException("the calculator passes at least one spatial input.");

    /// <summary>Thrown when an input that needs a gradient has none under this rule (weights, shapes, indices).</summary>
    protected static CnnDiagnosticsException NotDifferentiable(GraphNode node, int input) =>
        new($"{NodeAttributes.Describe(node)}: the gradient with respect to input {input} ('{node.Input[input]}') is not supported; only data tensors (not weights or shapes) can be differentiated.");

    /// <summary>Throws unless only the listed inputs need gradients.</summary>
    protected static void OnlyInputs(GraphNode node, bool[] needsGradient, params int[] differentiable)
    {
        for (int i = 0; i < needsGradient.Length; i++)
            if (needsGradient[i] && !differentiable.Contains(i)) throw NotDifferentiable(node, i);
    }

    /// <summary>The gradient of the first input only (for unary ops): <paramref name="gradient"/> at index 0, null elsewhere.</summary>
    protected static string?[] FirstInput(GraphNode node, string gradient)
    {
        var result = new string?[node.Input.Count];
        result[0] = gradient;
        return result;
    }
}

/// <summary>How an op carries a receptive field.</summary>
internal enum FieldRule
{
    /// <summary>A sliding window (Conv, pools): the field grows by the window and the jump by the stride.</summary>
    Window,

    /// <summary>Each output position depends on the same input position only (activations, per-channel affine maps, casts).</summary>
    PositionWise,

    /// <summary>Joins tensors position by position (Add, Mul, Concat on channels): the union of the branches' fields.</summary>
    Join,

    /// <summary>Mixes every position (global pools, Flatten into a Gemm): the output sees the whole image.</summary>
    Global,

    /// <summary>Moves axes or channels without mixing positions (Transpose, Reshape, Slice, Split): the field follows the spatial axes.</summary>
    Layout,

    /// <summary>Reads only a tensor's shape (Shape, Size): its output is not an activation.</summary>
    Metadata,

    /// <summary>Not followed: tensors computed from it have no field, with a reason naming the op.</summary>
    NotFollowed,
}
