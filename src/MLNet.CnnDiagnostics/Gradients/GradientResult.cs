namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>What one forward (+ backward) run returns for a batch.</summary>
public sealed class GradientResult
{
    internal GradientResult(float[] targetValues, IReadOnlyDictionary<string, FloatTensor> gradients, IReadOnlyDictionary<string, FloatTensor> outputs)
    {
        TargetValues = targetValues;
        Gradients = gradients;
        Outputs = outputs;
    }

    /// <summary>The target's value for each batch item.</summary>
    public float[] TargetValues { get; }

    /// <summary>Gradient of the target with respect to each requested tensor, same shape as that tensor.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Gradients { get; }

    /// <summary>Extra forward tensors that were asked for.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Outputs { get; }
}
