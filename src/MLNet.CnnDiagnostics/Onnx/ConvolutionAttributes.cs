namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// Spatial attributes of a convolution or pooling node, with ONNX defaults filled in.
/// Pads are in ONNX order: all begins, then all ends (for 2-D: top, left, bottom, right).
/// </summary>
/// <param name="Kernel">Kernel size per spatial axis.</param>
/// <param name="Strides">Stride per spatial axis.</param>
/// <param name="Pads">Begin pads per axis followed by end pads per axis.</param>
/// <param name="Dilations">Dilation per spatial axis.</param>
/// <param name="Group">Number of groups (1 for a plain convolution; input channels for depthwise).</param>
/// <param name="AutoPad">ONNX auto_pad value (NOTSET, SAME_UPPER, SAME_LOWER or VALID).</param>
public sealed record ConvolutionAttributes(int[] Kernel, int[] Strides, int[] Pads, int[] Dilations, int Group, string AutoPad)
{
    /// <summary>Number of spatial axes.</summary>
    public int SpatialRank => Kernel.Length;

    /// <summary>Begin pad of a spatial axis.</summary>
    public int PadBegin(int axis) => Pads[axis];

    /// <summary>End pad of a spatial axis.</summary>
    public int PadEnd(int axis) => Pads[axis + Kernel.Length];

    /// <summary>Kernel extent once dilated: (k − 1)·d + 1.</summary>
    public int DilatedKernel(int axis) => (Kernel[axis] - 1) * Dilations[axis] + 1;

    /// <summary>
    /// The effective pads for an input of the given spatial size, resolving SAME_UPPER/SAME_LOWER/VALID.
    /// </summary>
    public int[] ResolvePads(IReadOnlyList<int> inputSpatial)
    {
        if (AutoPad is "NOTSET" or "" || inputSpatial.Count != SpatialRank) return Pads;
        var pads = new int[2 * SpatialRank];
        if (AutoPad == "VALID") return pads;
        for (int a = 0; a < SpatialRank; a++)
        {
            int outSize = (inputSpatial[a] + Strides[a] - 1) / Strides[a];
            int total = Math.Max(0, (outSize - 1) * Strides[a] + DilatedKernel(a) - inputSpatial[a]);
            int small = total / 2, big = total - small;
            (pads[a], pads[a + SpatialRank]) = AutoPad == "SAME_LOWER" ? (big, small) : (small, big);
        }
        return pads;
    }

    /// <summary>Output size of one spatial axis for an input size (floor mode).</summary>
    public int OutputSize(int axis, int inputSize, int[]? pads = null)
    {
        pads ??= Pads;
        return (inputSize + pads[axis] + pads[axis + SpatialRank] - DilatedKernel(axis)) / Strides[axis] + 1;
    }
}
