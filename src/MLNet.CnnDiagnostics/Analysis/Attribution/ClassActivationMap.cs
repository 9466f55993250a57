using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// The CAM family (pytorch-grad-cam's base_cam): a layer's activations A [N, K, h, w] and the target's gradient there
/// are read in one run; a subclass only says how channel weights are computed; the map is ReLU(Σ_k w_k A_k) at the
/// layer's resolution [N, h, w] (upsample for display).
/// </summary>
public abstract class ClassActivationMap : AttributionMethod
{
    /// <summary>Creates the method for the tensor <paramref name="layerTensor"/> (a 4-D activation).</summary>
    protected ClassActivationMap(GradientEngine engine, string layerTensor) : base(engine)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerTensor);
        var shape = engine.Builder.ItemShape(layerTensor);
        if (shape.Length != 3)
            throw new CnnDiagnosticsException($"tensor '{layerTensor}' has item shape [{string.Join(",", shape)}]; class activation maps need a [channels, height, width] activation.");
        LayerTensor = layerTensor;
    }

    /// <summary>The activation the map is built from.</summary>
    public string LayerTensor { get; }

    /// <summary>Whether negative evidence is cut (Grad-CAM's ReLU); CAM keeps the raw sum.</summary>
    protected virtual bool Rectify => true;

    /// <summary>Rectified maps are magnitudes; CAM's raw sum is signed.</summary>
    public override bool Signed => !Rectify;

    /// <summary>Further tensors whose gradients a method needs from the same run.</summary>
    protected virtual IReadOnlyList<string> OtherGradients => [];

    /// <summary>Channel weights [n, K] from activations and gradients [n, K, h, w] (and the whole run's result).</summary>
    protected abstract float[] ChannelWeights(FloatTensor activations, FloatTensor gradients, GradientResult run);

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target)
    {
        var result = Engine.Compute(batch, target, [LayerTensor, .. OtherGradients], [LayerTensor]);
        var a = result.Outputs[LayerTensor];
        var weights = ChannelWeights(a, result.Gradients[LayerTensor], result);
        int n = a.Shape[0], k = a.Shape[1], plane = a.Shape[2] * a.Shape[3];
        var map = new FloatTensor(n, a.Shape[2], a.Shape[3]);
        for (int i = 0; i < n; i++)
        for (int p = 0; p < plane; p++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++) sum += weights[i * k + c] * a.Data[(i * k + c) * plane + p];
            map.Data[i * plane + p] = Rectify ? (float)Math.Max(0, sum) : (float)sum;
        }
        return map;
    }

    /// <summary>Per item and channel, the spatial mean of a [n, K, h, w] tensor.</summary>
    protected static float[] SpatialMeans(FloatTensor t)
    {
        int nk = t.Shape[0] * t.Shape[1], plane = t.Length / nk;
        var means = new float[nk];
        for (int i = 0; i < nk; i++)
        {
            double s = 0;
            for (int p = 0; p < plane; p++) s += t.Data[i * plane + p];
            means[i] = (float)(s / plane);
        }
        return means;
    }
}
