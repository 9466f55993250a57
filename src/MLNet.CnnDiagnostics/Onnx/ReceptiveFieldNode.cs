namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>The little the receptive-field calculator needs to know about one graph node.</summary>
/// <param name="Name">The node's (layer's) name, used in messages and lookups.</param>
/// <param name="OpType">ONNX operator type, e.g. <c>Conv</c>, <c>MaxPool</c>, <c>Add</c>.</param>
/// <param name="Inputs">Input tensor names (weights included; tensors no node produces count as constants).</param>
/// <param name="Outputs">Output tensor names; the first one carries the field.</param>
/// <param name="Window">Kernel, strides, pads and dilations for Conv and pooling nodes.</param>
/// <param name="OutputSpatialShape">Measured output height and width when known (e.g. for ceil-mode pooling); otherwise computed.</param>
/// <param name="Axis">The concatenation axis of a Concat node.</param>
public sealed record ReceptiveFieldNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    ConvolutionAttributes? Window = null,
    int[]? OutputSpatialShape = null,
    int Axis = 1);
