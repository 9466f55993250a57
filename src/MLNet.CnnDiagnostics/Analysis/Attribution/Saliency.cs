using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>Vanilla gradient saliency (Simonyan et al. 2013): max over colour channels of |∂S/∂x|, one [H, W] map per image.</summary>
public sealed class Saliency(GradientEngine engine) : AttributionMethod(engine)
{
    /// <summary>The registry entry: <c>saliency</c>.</summary>
    internal static AttributionDescriptor Registration { get; } = new()
    {
        Name = "saliency", Aliases = ["gradient"], DisplayName = "saliency", Order = 20, InReportByDefault = true,
        Summary = "gradient saliency: max over colour channels of |input gradient|; [H,W]",
        Pass = AttributionPass.InputGradient,
        Create = s => new Saliency(s.Engine) { BatchSize = s.BatchSize },
    };

    /// <inheritdoc/>
    protected override FloatTensor AttributeBatch(FloatTensor batch, GradientTarget target) => MaxAbsOverChannels(InputGradient(batch, target));
}
