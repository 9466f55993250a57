namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>A named tensor of the graph with its element type and shape; unknown or symbolic dimensions are -1.</summary>
/// <param name="Name">The tensor's name in the ONNX graph.</param>
/// <param name="Shape">Dimensions, -1 where unknown or symbolic; null when even the rank is unknown.</param>
/// <param name="ElementType">ONNX element type (1 = float).</param>
public sealed record TensorInfo(string Name, int[]? Shape, int ElementType)
{
    /// <summary>Shape as text, e.g. <c>[N,64,112,112]</c>.</summary>
    public string ShapeText => Shape is null ? "[?]" : "[" + string.Join(",", Shape.Select(d => d < 0 ? "N" : d.ToString())) + "]";

    /// <summary>True when every dimension after the batch dimension is known.</summary>
    public bool HasKnownItemShape => Shape is not null && Shape.Skip(1).All(d => d > 0);
}
