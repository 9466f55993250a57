namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>A single unit of a layer, indexed without the batch dimension (e.g. channel, row, column).</summary>
public sealed class UnitTarget : GradientTarget
{
    private readonly int[] _index;

    /// <summary>The unit at <paramref name="index"/> (batch dimension excluded) of <paramref name="tensor"/>.</summary>
    public UnitTarget(string tensor, params int[] index) : base(tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(tensor);
        _index = index;
    }

    /// <inheritdoc/>
    public override FloatTensor Seed(int[] shape)
    {
        if (_index.Length != shape.Length - 1 || _index.Where((v, d) => (uint)v >= (uint)shape[d + 1]).Any())
            throw new CnnDiagnosticsException($"unit [{string.Join(",", _index)}] is outside tensor '{Tensor}' whose items have shape [{string.Join(",", shape.Skip(1))}].");
        var seed = new FloatTensor(shape);
        int size = ItemSize(shape);
        int offset = 0;
        for (int d = 0; d < _index.Length; d++) offset = offset * shape[d + 1] + _index[d];
        for (int n = 0; n < shape[0]; n++) seed.Data[n * size + offset] = 1f;
        return seed;
    }
}
