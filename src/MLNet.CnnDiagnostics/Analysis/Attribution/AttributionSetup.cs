using MLNet.CnnDiagnostics.Gradients;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// What a registry factory builds a method from (<see cref="AttributionDescriptor.Create"/>): the engine, the layers a
/// method may need, batching, the seed and the cost budget. The same setup serves every method, so the report and the
/// CLI build any registered method the same way.
/// </summary>
public sealed class AttributionSetup
{
    /// <summary>The engine that runs the model's forward and backward passes.</summary>
    public required GradientEngine Engine { get; init; }

    /// <summary>Height of the images to explain (patch sizes are chosen relative to it).</summary>
    public required int ImageHeight { get; init; }

    /// <summary>Width of the images to explain.</summary>
    public required int ImageWidth { get; init; }

    /// <summary>The spatial activation for the CAM family (<see cref="AttributionNeeds.SpatialLayer"/>); null when the model has none.</summary>
    public string? Layer { get; init; }

    /// <summary>The pooled features the linear classifier reads (<see cref="AttributionNeeds.PooledFeatures"/>, CAM's weights).</summary>
    public string? PooledFeatures { get; init; }

    /// <summary>Largest number of model inputs per run.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Seed of randomised methods (SmoothGrad's noise).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Standard defaults, or quicker ones for a gallery of several images.</summary>
    public AttributionBudget Budget { get; init; }

    /// <summary>True for <see cref="AttributionBudget.Quick"/>.</summary>
    internal bool Quick => Budget == AttributionBudget.Quick;

    /// <summary>The smaller image side.</summary>
    internal int Side => Math.Min(ImageHeight, ImageWidth);

    /// <summary><see cref="Layer"/>, or a message naming the method when it is missing.</summary>
    public string RequireLayer(string method) =>
        Layer ?? throw new CnnDiagnosticsException($"attribution method '{method}' needs a spatial layer (a [channels, height, width] activation); none was given or found.");

    /// <summary><see cref="PooledFeatures"/>, or a message naming the method when it is missing.</summary>
    public string RequirePooledFeatures(string method) =>
        PooledFeatures ?? throw new CnnDiagnosticsException($"attribution method '{method}' needs the pooled features a linear classifier reads; none were given or found.");
}
