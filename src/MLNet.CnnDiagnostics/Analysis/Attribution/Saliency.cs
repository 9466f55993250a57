using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Vanilla gradient saliency (Simonyan et al. 2013): max over colour channels of |∂S/∂x|, one [H, W] map per image.</summary>
public sealed class Saliency(GradientEngine engine) : AttributionMethod(engine)
{
    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target) => MaxAbsOverChannels(InputGradient(batch, target));
}
