namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>What an attribution method needs from the model besides its input gradient or forward pass.</summary>
[Flags]
public enum AttributionNeeds
{
    /// <summary>Nothing beyond the model's input and class scores.</summary>
    None = 0,

    /// <summary>A spatial activation [C, h, w] (the CAM family's layer, <see cref="AttributionSetup.Layer"/>).</summary>
    SpatialLayer = 1,

    /// <summary>The pooled features a linear classifier reads (CAM's <see cref="AttributionSetup.PooledFeatures"/>).</summary>
    PooledFeatures = 2,
}

/// <summary>
/// Which graph a method runs: methods with the same pass share one backward graph (and its ONNX Runtime session), so a
/// caller that runs several methods can release sessions only when the pass changes.
/// </summary>
public enum AttributionPass
{
    /// <summary>Forward passes only (perturbation methods).</summary>
    Forward,

    /// <summary>The gradient at the model's input.</summary>
    InputGradient,

    /// <summary>The input gradient with guided ReLUs.</summary>
    GuidedInputGradient,

    /// <summary>Activations and gradients at a layer.</summary>
    LayerGradient,
}

/// <summary>Choices of cost for the registry's defaults: a full run for one image, or a quicker one for a gallery.</summary>
public enum AttributionBudget
{
    /// <summary>The methods' own defaults (SmoothGrad's 25 samples, integrated gradients' 32 steps, occlusion patches of 1/8 of the side).</summary>
    Standard,

    /// <summary>About a third of the work (8 samples, 16 steps, patches of 1/4 of the side): the report's gallery of several images.</summary>
    Quick,
}

/// <summary>
/// One entry of the <see cref="AttributionRegistry"/>: a method's name (and aliases), how it is shown, what it needs,
/// and a factory that builds it from an <see cref="AttributionSetup"/> with the method's defaults.
/// </summary>
public sealed class AttributionDescriptor
{
    /// <summary>The registry name (lower case, no spaces): what <c>cnndiag explain --method</c> and the report's options take.</summary>
    public required string Name { get; init; }

    /// <summary>Other names accepted for this method.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The name shown in reports and summaries ("Grad-CAM", "integrated gradients").</summary>
    public required string DisplayName { get; init; }

    /// <summary>One line: what the method computes and its defaults.</summary>
    public required string Summary { get; init; }

    /// <summary>What the method needs from the model (a spatial layer, pooled features).</summary>
    public AttributionNeeds Needs { get; init; }

    /// <summary>The graph the method runs.</summary>
    public required AttributionPass Pass { get; init; }

    /// <summary>Position in listings (help text, error messages, the report's order): lower first.</summary>
    public int Order { get; init; } = 1000;

    /// <summary>Whether the report draws this method when its options name none.</summary>
    public bool InReportByDefault { get; init; }

    /// <summary>Builds the method with its defaults for <see cref="AttributionSetup.Budget"/>.</summary>
    public required Func<AttributionSetup, AttributionMethod> Create { get; init; }

    /// <summary>Whether <paramref name="name"/> is this method's name or an alias (case-insensitive).</summary>
    public bool Matches(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
