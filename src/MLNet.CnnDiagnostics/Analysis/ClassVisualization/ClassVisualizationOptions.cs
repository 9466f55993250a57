namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>Regularised gradient ascent settings (defaults after Yosinski et al. 2015 and Lucid's transformation robustness).</summary>
public sealed record ClassVisualizationOptions
{
    /// <summary>Ascent steps.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Step size (Adam) or gradient scale (plain ascent), in input units.</summary>
    public float LearningRate { get; init; } = 1f;

    /// <summary>Use Adam; otherwise plain ascent along the gradient normalised to unit mean magnitude.</summary>
    public bool UseAdam { get; init; } = true;

    /// <summary>L2 decay: the objective is target − λ‖x‖²/2.</summary>
    public float L2Decay { get; init; } = 1e-4f;

    /// <summary>Gaussian blur every this many steps (0: never).</summary>
    public int BlurEvery { get; init; } = 4;

    /// <summary>Blur standard deviation in pixels.</summary>
    public float BlurSigma { get; init; } = 0.5f;

    /// <summary>Pixels whose norm across channels is below this percentile are zeroed every blur step (0: off).</summary>
    public float SmallNormPercentile { get; init; } = 5f;

    /// <summary>Largest random shift in pixels applied before each step (and undone after).</summary>
    public int Jitter { get; init; } = 4;

    /// <summary>Scale of the starting noise (0: start from zeros).</summary>
    public float InitialNoise { get; init; } = 1f;

    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
}
