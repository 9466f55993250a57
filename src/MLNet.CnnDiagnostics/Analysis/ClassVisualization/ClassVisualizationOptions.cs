namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// Regularised gradient ascent settings (defaults after Yosinski et al. 2015 and Lucid's transformation robustness).
/// The ascent works on the image itself, with every pixel scaled to [0, 1] (0 black, 1 the brightest value), whatever the
/// model's input units: <see cref="PixelMean"/>, <see cref="PixelStd"/> and <see cref="PixelMaxValue"/> say how the model's
/// input maps back to pixels (pixel = value·std + mean, shown at full brightness at the max value), so a step size, a decay
/// and a clip mean the same on a model that takes 0..255, one that takes [−1, 1] and one that normalises inside its graph.
/// </summary>
public sealed record ClassVisualizationOptions
{
    /// <summary>Ascent steps.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Adam's step size in image units (a fraction of the full pixel range); for <see cref="ClassVisualizationParameterization.Lucid"/>, in its spectral units.</summary>
    public float LearningRate { get; init; } = 0.02f;

    /// <summary>Per-channel mean of the model's input normalisation: pixel = value·std + mean (empty: 0 for every channel).</summary>
    public float[] PixelMean { get; init; } = [];

    /// <summary>Per-channel standard deviation of the model's input normalisation (empty: 1 for every channel).</summary>
    public float[] PixelStd { get; init; } = [];

    /// <summary>The pixel value shown at full brightness (255 for ML.NET's ExtractPixels defaults, 1 for [0,1] inputs).</summary>
    public float PixelMaxValue { get; init; } = 255f;

    /// <summary>Whether the model's channels are BGR (only the decorrelated colour space of the Lucid parameterisation cares).</summary>
    public bool ChannelsAreBgr { get; init; }

    /// <summary>How the image is parameterised: pixels (default) or Lucid's decorrelated colour and Fourier basis.</summary>
    public ClassVisualizationParameterization Parameterization { get; init; } = ClassVisualizationParameterization.Pixels;

    /// <summary>Decoupled decay toward mid-grey: each step keeps (1 − decay) of every pixel's distance from grey (0: off).</summary>
    public float Decay { get; init; } = 0.005f;

    /// <summary>Gaussian blur every this many steps (0: never; pixel parameterisation only).</summary>
    public int BlurEvery { get; init; } = 4;

    /// <summary>Blur standard deviation in pixels.</summary>
    public float BlurSigma { get; init; } = 0.5f;

    /// <summary>Pixels whose distance from grey (norm across channels) is below this percentile are reset to grey every blur step (0: off).</summary>
    public float SmallNormPercentile { get; init; } = 5f;

    /// <summary>Largest random shift in pixels applied before each step (and undone after).</summary>
    public int Jitter { get; init; } = 4;

    /// <summary>Amplitude of the uniform starting noise around mid-grey, in image units (0: start from grey).</summary>
    public float InitialNoise { get; init; } = 0.05f;

    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>How class visualization parameterises the image it optimises.</summary>
public enum ClassVisualizationParameterization
{
    /// <summary>Every pixel in [0, 1], clipped after each step, with blur, decay and small-norm clipping as regularisers.</summary>
    Pixels,

    /// <summary>
    /// Lucid's (Olah et al. 2017): the image is sigmoid(C·F(s ⊙ a)) where a are the optimised coefficients of a Fourier basis
    /// F scaled by 1/frequency (s), and C maps a decorrelated colour space to RGB (ImageNet's colour correlation); the
    /// preconditioning favours natural-looking low-frequency images.
    /// </summary>
    Lucid,
}
