using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// CAM (Zhou et al. 2016) for a layer followed by global average pooling and a linear classifier: channel weights are the
/// classifier's weights of the class, read as the target's gradient at the pooled tensor (exactly W[c] for a linear head),
/// and the map keeps its sign.
/// </summary>
public sealed class Cam : ClassActivationMap
{
    /// <summary>The registry entry: <c>cam</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "cam", DisplayName = "CAM", Order = 70,
        Summary = "CAM: the layer's channels weighted by the linear classifier's weights of the class, signed; [h,w] at the layer's resolution",
        Needs = AttributionNeeds.SpatialLayer | AttributionNeeds.PooledFeatures, Pass = AttributionPass.LayerGradient,
        Create = s => new Cam(s.Engine, s.RequireLayer("cam"), s.RequirePooledFeatures("cam")) { BatchSize = s.BatchSize },
    };

    /// <summary>CAM on <paramref name="layerTensor"/>, whose global average is <paramref name="pooledTensor"/>.</summary>
    public Cam(GradientEngine engine, string layerTensor, string pooledTensor) : base(engine, layerTensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(pooledTensor);
        PooledTensor = pooledTensor;
    }

    /// <summary>The pooled features the linear classifier reads.</summary>
    public string PooledTensor { get; }

    /// <inheritdoc/>
    protected override bool Rectify => false;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OtherGradients => [PooledTensor];

    /// <inheritdoc/>
    protected override float[] ChannelWeights(FloatTensor activations, FloatTensor gradients, GradientResult run)
    {
        var w = run.Gradients[PooledTensor];
        if (w.Length != activations.Shape[0] * activations.Shape[1])
            throw new CnnDiagnosticsException($"pooled tensor '{PooledTensor}' has {w.Length / activations.Shape[0]} values per item; layer '{LayerTensor}' has {activations.Shape[1]} channels.");
        return w.Data;
    }
}
