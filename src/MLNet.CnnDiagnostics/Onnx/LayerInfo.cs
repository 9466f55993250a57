namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>One node of the ONNX graph as a layer: what it computes, from what, into what, and with how many parameters.</summary>
public sealed class LayerInfo
{
    internal LayerInfo(int index, string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        TensorInfo? output, long parameterCount, ConvolutionAttributes? convolution)
    {
        Index = index;
        Name = name;
        OpType = opType;
        Inputs = inputs;
        Outputs = outputs;
        Output = output;
        ParameterCount = parameterCount;
        Convolution = convolution;
    }

    /// <summary>Position of the node in the graph's (topologically sorted) node list.</summary>
    public int Index { get; }

    /// <summary>The node's name, or its first output's name when the node has none.</summary>
    public string Name { get; }

    /// <summary>ONNX operator type, e.g. <c>Conv</c>.</summary>
    public string OpType { get; }

    /// <summary>Names of the input tensors (data and parameters).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Names of the output tensors.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The first output tensor with its shape (null when it could not be determined).</summary>
    public TensorInfo? Output { get; }

    /// <summary>Shape of the first output, -1 for the batch or unknown dimensions; null when unknown.</summary>
    public int[]? OutputShape => Output?.Shape;

    /// <summary>Number of weights this node reads from initializers or Constant nodes.</summary>
    public long ParameterCount { get; }

    /// <summary>Kernel, strides, pads, dilations and group for Conv, ConvTranspose, MaxPool and AveragePool; otherwise null.</summary>
    public ConvolutionAttributes? Convolution { get; }

    /// <summary>True for convolutions.</summary>
    public bool IsConvolution => OpType is "Conv" or "ConvTranspose";

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({OpType}) {Output?.ShapeText}";
}
