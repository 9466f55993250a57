using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018), with the exponential-output closed form: α = g² / (2g² + Σ_ij A·g³),
/// channel weight = Σ_ij α · ReLU(g).
/// </summary>
public sealed class GradCamPlusPlus(GradientEngine engine, string layerTensor) : ClassActivationMap(engine, layerTensor)
{
    /// <summary>The registry entry: <c>gradcam++</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "gradcam++", Aliases = ["grad-cam++", "gradcampp"], DisplayName = "Grad-CAM++", Order = 60,
        Summary = "Grad-CAM++: channel weights from positive gradients with second-order terms, ReLU; [h,w] at the layer's resolution",
        Needs = AttributionNeeds.SpatialLayer, Pass = AttributionPass.LayerGradient,
        Create = s => new GradCamPlusPlus(s.Engine, s.RequireLayer("gradcam++")) { BatchSize = s.BatchSize },
    };

    /// <inheritdoc/>
    protected override float[] ChannelWeights(FloatTensor a, FloatTensor g, GradientResult run)
    {
        int nk = a.Shape[0] * a.Shape[1], plane = a.Length / nk;
        var weights = new float[nk];
        for (int i = 0; i < nk; i++)
        {
            double sumA = 0;
            for (int p = 0; p < plane; p++) sumA += a.Data[i * plane + p];
            double w = 0;
            for (int p = 0; p < plane; p++)
            {
                double gv = g.Data[i * plane + p], g2 = gv * gv;
                double denominator = 2 * g2 + sumA * g2 * gv;
                double alpha = denominator != 0 ? g2 / denominator : 0;
                w += alpha * Math.Max(0, gv);
            }
            weights[i] = (float)w;
        }
        return weights;
    }
}
