namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>Which activations share one colour scale in an activation grid.</summary>
public enum ActivationNormalization
{
    /// <summary>Each channel spans the whole colormap from its own min to its max: shows every channel's pattern.</summary>
    PerChannel,

    /// <summary>One scale for all channels: also shows which channels respond strongly.</summary>
    PerLayer,
}
