using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Guided backpropagation (Springenberg et al. 2015): ReLUs also block negative gradients; returns the [N, C, H, W] guided gradient.</summary>
public sealed class GuidedBackprop(GradientEngine engine) : AttributionMethod(engine)
{
    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target) => InputGradient(batch, target, guided: true);
}
