using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Input × gradient (Shrikumar et al. 2016; Captum's InputXGradient): x ⊙ ∂S/∂x, one signed value per input value
/// [N, C, H, W]; a pixel's total is the signed sum over its channels (for a linear score without bias, the score itself).
/// </summary>
public sealed class InputXGradient(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>input-x-gradient</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "input-x-gradient", Aliases = ["inputxgradient"], DisplayName = "input × gradient", Order = 90,
        Summary = "input × gradient: x times the input gradient; [C,H,W], drawn as the signed sum over channels",
        Pass = AttributionPass.InputGradient,
        Create = s => new InputXGradient(s.Engine) { BatchSize = s.BatchSize },
    };

    /// <inheritdoc/>
    public override ChannelReduction Reduction => ChannelReduction.Sum;

    /// <inheritdoc/>
    public override bool Signed => true;

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target)
    {
        var g = InputGradient(batch, target);
        for (int i = 0; i < g.Length; i++) g.Data[i] *= batch.Data[i];
        return g;
    }
}
