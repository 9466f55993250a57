using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// The backward pass of one kind of ONNX op, written as ONNX ops: given the gradient of the op's first output,
/// emits nodes computing the gradients of its inputs.
/// </summary>
internal abstract class BackwardRule
{
    /// <summary>The ONNX op types this rule differentiates.</summary>
    public abstract IReadOnlyList<string> OpTypes { get; }

    /// <summary>
    /// Emits the backward nodes of <paramref name="node"/>. Returns one gradient name per input (null where
    /// <paramref name="needsGradient"/> is false or the input is not differentiable).
    /// </summary>
    public abstract string?[] Backward(BackwardContext ctx, NodeProto node, string outputGradient, bool[] needsGradient);

    /// <summary>
    /// Emits the backward nodes of a node given the gradients of all its outputs (null where an output receives none).
    /// By default only the first output carries a gradient (the others are indices or statistics).
    /// </summary>
    public virtual string?[] Backward(BackwardContext ctx, NodeProto node, IReadOnlyList<string?> outputGradients, bool[] needsGradient) =>
        outputGradients[0] is { } first ? Backward(ctx, node, first, needsGradient) : new string?[node.Input.Count];

    /// <summary>Thrown when an input that needs a gradient has none under this rule (weights, shapes, indices).</summary>
    protected static CnnDiagnosticsException NotDifferentiable(NodeProto node, int input) =>
        new($"{NodeAttributes.Describe(node)}: the gradient with respect to input {input} ('{node.Input[input]}') is not supported; only data tensors (not weights or shapes) can be differentiated.");

    /// <summary>Throws unless only the listed inputs need gradients.</summary>
    protected static void OnlyInputs(NodeProto node, bool[] needsGradient, params int[] differentiable)
    {
        for (int i = 0; i < needsGradient.Length; i++)
            if (needsGradient[i] && !differentiable.Contains(i)) throw NotDifferentiable(node, i);
    }
}
