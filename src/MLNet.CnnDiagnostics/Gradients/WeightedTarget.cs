namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>A user-given weight vector over a tensor's elements (per item, row-major): S = Σ w ⊙ T.</summary>
public sealed class WeightedTarget : GradientTarget
{
    private readonly float[] _weights;

    /// <summary>Weights over the non-batch elements of <paramref name="tensor"/> (null: the model's or head's output).</summary>
    public WeightedTarget(float[] weights, string? tensor = null) : base(tensor)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = weights;
    }

    /// <inheritdoc/>
    public override FloatTensor Seed(int[] shape)
    {
        int size = ItemSize(shape);
        if (_weights.Length != size)
            throw new CnnDiagnosticsException($"the weight vector has {_weights.Length} values; the target tensor has {size} per item.");
        var seed = new FloatTensor(shape);
        for (int n = 0; n < shape[0]; n++) Array.Copy(_weights, 0, seed.Data, n * size, size);
        return seed;
    }
}
