namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>The little the receptive-field calculator needs to know about one graph node.</summary>
/// <param name="Name">The node's (layer's) name, used in messages and lookups.</param>
/// <param name="OpType">ONNX operator type, e.g. <c>Conv</c>, <c>MaxPool</c>, <c>Add</c>.</param>
/// <param name="Inputs">Input tensor names (weights included; tensors no node produces count as constants).</param>
/// <param name="Outputs">Output tensor names; the first one carries the field.</param>
/// <param name="Window">Kernel, strides, pads and dilations for Conv and pooling nodes.</param>
/// <param name="OutputSpatialShape">Measured output height and width when known (e.g. for ceil-mode pooling); otherwise computed.</param>
/// <param name="Axis">The <c>axis</c> attribute (Concat, Split, Softmax, ...), 1 when absent.</param>
internal sealed record ReceptiveFieldNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    ConvolutionAttributes? Window = null,
    int[]? OutputSpatialShape = null,
    int Axis = 1)
{
    /// <summary>Measured full shapes of the outputs (batch included), where known.</summary>
    public IReadOnlyList<int[]?>? OutputShapes { get; init; }

    /// <summary>Measured full shape of the first input, where known.</summary>
    public int[]? InputShape { get; init; }

    /// <summary>Integer attributes, and constant integer inputs under the names <c>input1</c>, <c>input2</c>, ... (axes, perm, starts).</summary>
    public IReadOnlyDictionary<string, long[]>? Integers { get; init; }

    /// <summary>The measured shape of output <paramref name="index"/>, or null.</summary>
    public int[]? OutputShape(int index) => OutputShapes is { } s && index < s.Count ? s[index] : null;

    /// <summary>An integer attribute (or constant integer input), or null when absent.</summary>
    /// <remarks>A node built by hand, without <see cref="Integers"/>, answers <c>axis</c> from <see cref="Axis"/>.</remarks>
    public long[]? GetIntegers(string name) =>
        Integers is { } d ? (d.TryGetValue(name, out var v) ? v : null) : name == "axis" ? [Axis] : null;

    /// <summary>A scalar integer attribute, or <paramref name="fallback"/>.</summary>
    public long GetInteger(string name, long fallback) => GetIntegers(name) is { Length: > 0 } v ? v[0] : fallback;
}
