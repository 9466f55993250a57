using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// ConvTranspose: the input gradient is a Conv with the same weights, strides, dilations, groups and begin/end pads
/// (output_padding and output_shape only add output positions the Conv's last window never reaches).
/// </summary>
internal sealed class ConvTransposeOp : OpDefinition
{
    public override IReadOnlyList<string> OpTypes => ["ConvTranspose"];

    // Each output position reads a window of input positions, but with a fractional jump (1/stride): not followed.
    public override FieldRule Field => FieldRule.NotFollowed;

    public override string?[] Backward(BackwardContext ctx, GraphNode node, string gy, bool[] need)
    {
        OnlyInputs(node, need, 0);
        var xs = ctx.Shape(node.Input[0]);
        var ys = ctx.Shape(node.Output[0]);
        var kernel = ctx.Shape(node.Input[1]).Skip(2).Select(k => (long)k).ToArray();
        int spatial = kernel.Length;
        var strides = NodeAttributes.GetInts(node, "strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = NodeAttributes.GetInts(node, "dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var outputPadding = NodeAttributes.GetInts(node, "output_padding") ?? new long[spatial];
        var pads = NodeAttributes.GetInts(node, "pads") ?? new long[2 * spatial];
        string autoPad = NodeAttributes.GetString(node, "auto_pad", "NOTSET");
        bool explicitShape = NodeAttributes.GetInts(node, "output_shape") is not null;
        var begin = new long[spatial];
        var end = new long[spatial];
        for (int i = 0; i < spatial; i++)
        {
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            if (explicitShape || autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                // ONNX Runtime's split of the total padding (ComputeTransposePadAndOutputShape): SAME_UPPER puts the
                // smaller half first, otherwise (SAME_LOWER, or output_shape with NOTSET) the larger half.
                long total = strides[i] * (xs[2 + i] - 1) + outputPadding[i] + extent - ys[2 + i];
                (begin[i], end[i]) = autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
            }
            else if (autoPad == "VALID") (begin[i], end[i]) = (0, 0);
            else (begin[i], end[i]) = (pads[i], pads[spatial + i]);
            // the Conv must give back exactly the input's extent
            long covered = (ys[2 + i] + begin[i] + end[i] - extent) / strides[i] + 1;
            if (begin[i] < 0 || end[i] < 0 || covered != xs[2 + i])
                throw new CnnDiagnosticsException(
                    $"{NodeAttributes.Describe(node)}: spatial axis {i} maps input size {xs[2 + i]} to output size {ys[2 + i]} with pads {begin[i]}+{end[i]}, which a convolution cannot invert; its backward pass is not supported.");
        }
        var result = new string?[node.Input.Count];
        result[0] = ctx.Emit("Conv", [gy, node.Input[1]],
            GraphAttribute.IntList("kernel_shape", kernel),
            GraphAttribute.IntList("strides", strides),
            GraphAttribute.IntList("dilations", dilations),
            GraphAttribute.IntList("pads", begin.Concat(end)),
            GraphAttribute.Int("group", NodeAttributes.GetInt(node, "group", 1)));
        return result;
    }
}
