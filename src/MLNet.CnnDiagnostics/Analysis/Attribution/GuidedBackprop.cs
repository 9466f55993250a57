using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Guided backpropagation (Springenberg et al. 2015): ReLUs also block negative gradients; returns the [N, C, H, W] guided gradient.</summary>
public sealed class GuidedBackprop(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>guided-backprop</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "guided-backprop", Aliases = ["guided", "guidedbackprop"], DisplayName = "guided backpropagation", Order = 80,
        Summary = "guided backpropagation: the input gradient with ReLUs that also block negative gradients; [C,H,W], drawn as max |.| over channels",
        Pass = AttributionPass.GuidedInputGradient,
        Create = s => new GuidedBackprop(s.Engine) { BatchSize = s.BatchSize },
    };

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target) => InputGradient(batch, target, guided: true);
}
