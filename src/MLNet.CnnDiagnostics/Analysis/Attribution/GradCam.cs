using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Grad-CAM (Selvaraju et al. 2017): channel weights are the spatial mean of the target's gradient at the layer.</summary>
public sealed class GradCam(GradientEngine engine, string layerTensor) : ClassActivationMap(engine, layerTensor)
{
    /// <summary>The registry entry: <c>gradcam</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "gradcam", Aliases = ["grad-cam"], DisplayName = "Grad-CAM", Order = 10, InReportByDefault = true,
        Summary = "Grad-CAM: the layer's channels weighted by their mean gradient, ReLU; [h,w] at the layer's resolution",
        Needs = AttributionNeeds.SpatialLayer, Pass = AttributionPass.LayerGradient,
        Create = s => new GradCam(s.Engine, s.RequireLayer("gradcam")) { BatchSize = s.BatchSize },
    };

    /// <inheritdoc/>
    protected override float[] ChannelWeights(FloatTensor activations, FloatTensor gradients, GradientResult run) => SpatialMeans(gradients);
}
