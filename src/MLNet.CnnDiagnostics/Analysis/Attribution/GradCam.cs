using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Grad-CAM (Selvaraju et al. 2017): channel weights are the spatial mean of the target's gradient at the layer.</summary>
public sealed class GradCam(GradientEngine engine, string layerTensor) : ClassActivationMap(engine, layerTensor)
{
    /// <inheritdoc/>
    protected override float[] ChannelWeights(FloatTensor activations, FloatTensor gradients, GradientResult run) => SpatialMeans(gradients);
}
