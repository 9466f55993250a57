namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>One output column of a diagnostic tap: its name, the model tensor it shows, and its item dimensions (without the batch).</summary>
/// <param name="Name">The ML.NET column name.</param>
/// <param name="Tensor">The ONNX tensor it comes from.</param>
/// <param name="Dimensions">Item dimensions, e.g. [C, H, W] for activations or [D] for an embedding.</param>
public sealed record TapColumn(string Name, string Tensor, int[] Dimensions)
{
    /// <summary>Number of values per row.</summary>
    public int Size => Dimensions.Aggregate(1, (a, b) => a * b);
}
