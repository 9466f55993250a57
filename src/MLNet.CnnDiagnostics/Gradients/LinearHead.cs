namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// A linear multiclass head (logits = W·features + b), such as ML.NET's maximum entropy, L-BFGS or SDCA multiclass
/// trainers produce, folded into the ONNX graph as a Gemm on top of a featurizer tensor.
/// </summary>
public sealed class LinearHead
{
    /// <summary>Creates a head over <paramref name="featureTensor"/> with weights [classes, features] and a bias per class.</summary>
    public LinearHead(string featureTensor, FloatTensor weights, float[] bias)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureTensor);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (weights.Rank != 2)
            throw new CnnDiagnosticsException($"head weights have shape [{string.Join(",", weights.Shape)}]; [classes, features] was expected.");
        if (bias.Length != weights.Shape[0])
            throw new CnnDiagnosticsException($"head bias has {bias.Length} values; the weights have {weights.Shape[0]} classes.");
        if (weights.Data.Any(v => !float.IsFinite(v)) || bias.Any(v => !float.IsFinite(v)))
            throw new CnnDiagnosticsException("head weights or bias contain NaN or infinity.");
        FeatureTensor = featureTensor;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>The featurizer tensor the head reads (flattened per item), e.g. ResNet18's pooled output.</summary>
    public string FeatureTensor { get; }

    /// <summary>Weights [classes, features].</summary>
    public FloatTensor Weights { get; }

    /// <summary>Bias, one per class.</summary>
    public float[] Bias { get; }

    /// <summary>Whether the head reads the features divided by their L2 norm (as the embedding tap's <c>normalize</c> option gives them).</summary>
    public bool NormalizeFeatures { get; init; }

    /// <summary>Number of classes.</summary>
    public int Classes => Weights.Shape[0];

    /// <summary>Number of input features.</summary>
    public int Features => Weights.Shape[1];

    /// <summary>The name of the logits tensor the head adds to the graph.</summary>
    public const string LogitsTensor = "head/logits";
}
