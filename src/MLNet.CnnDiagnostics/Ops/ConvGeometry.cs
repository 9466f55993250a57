using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Explicit geometry of a convolution or pooling window (kernel, strides, dilations, begin/end pads per spatial axis)
/// and the ConvTranspose output_padding that maps its output back onto exactly the input's extent.
/// </summary>
internal sealed record ConvGeometry(long[] Kernel, long[] Strides, long[] Dilations, long[] PadsBegin, long[] PadsEnd, long[] OutputPadding)
{
    /// <summary>Resolves the window of <paramref name="node"/> from its attributes and the probed input/output spatial sizes.</summary>
    public static ConvGeometry Resolve(GraphNode node, long[] kernel, int[] inputShape, int[] outputShape)
    {
        var geometry = Window(node, kernel, inputShape, outputShape);
        for (int i = 0; i < kernel.Length; i++)
        {
            long outputPadding = geometry.OutputPadding[i];
            if (outputPadding < 0 || outputPadding >= Math.Max(geometry.Strides[i], geometry.Dilations[i]))
                throw new CnnDiagnosticsException(
                    $"{NodeAttributes.Describe(node)}: spatial axis {i} maps input size {inputShape[2 + i]} to output size {outputShape[2 + i]} in a way a transposed convolution cannot invert (ceil_mode or inconsistent pads); its backward pass is not supported.");
        }
        return geometry;
    }

    /// <summary>
    /// The window of <paramref name="node"/> as <see cref="Resolve"/> finds it, without requiring a transposed convolution
    /// to invert it (ceil_mode pools): <see cref="OutputPadding"/> may then be negative or too large.
    /// </summary>
    public static ConvGeometry Window(GraphNode node, long[] kernel, int[] inputShape, int[] outputShape)
    {
        int spatial = kernel.Length;
        var strides = NodeAttributes.GetInts(node, "strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = NodeAttributes.GetInts(node, "dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var pads = NodeAttributes.GetInts(node, "pads") ?? new long[2 * spatial];
        string autoPad = NodeAttributes.GetString(node, "auto_pad", "NOTSET");
        var begin = new long[spatial];
        var end = new long[spatial];
        var outputPadding = new long[spatial];
        for (int i = 0; i < spatial; i++)
        {
            long input = inputShape[2 + i], output = outputShape[2 + i];
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                long total = Math.Max(0, (output - 1) * strides[i] + extent - input);
                long small = total / 2, large = total - small;
                (begin[i], end[i]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
            }
            else if (autoPad == "VALID") (begin[i], end[i]) = (0, 0);
            else (begin[i], end[i]) = (pads[i], pads[spatial + i]);
            outputPadding[i] = input - (strides[i] * (output - 1) + extent - begin[i] - end[i]);
        }
        return new ConvGeometry(kernel, strides, dilations, begin, end, outputPadding);
    }

    /// <summary>Attributes of the ConvTranspose that is the adjoint of this window.</summary>
    public GraphAttribute[] TransposeAttributes(long group) =>
    [
        GraphAttribute.IntList("kernel_shape", Kernel),
        GraphAttribute.IntList("strides", Strides),
        GraphAttribute.IntList("dilations", Dilations),
        GraphAttribute.IntList("pads", PadsBegin.Concat(PadsEnd)),
        GraphAttribute.IntList("output_padding", OutputPadding),
        GraphAttribute.Int("group", group),
    ];
}
