namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Settings for placing new points into a fixed t-SNE embedding, after openTSNE's <c>transform</c>: affinities to the
/// reference points at a low perplexity, start at their affinity-weighted mean, then a short optimisation in which
/// each new point feels the reference points only (point-wise normalisation).
/// </summary>
public sealed record TsneTransformOptions
{
    /// <summary>Perplexity of a new point's affinities to the reference points; 5 (openTSNE).</summary>
    public double Perplexity { get; init; } = 5;

    /// <summary>Optimisation iterations; 250 (openTSNE).</summary>
    public int Iterations { get; init; } = 250;

    /// <summary>Step size; 0.1 (openTSNE).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Exaggeration of the attraction to the reference points; 1.5 (openTSNE).</summary>
    public double Exaggeration { get; init; } = 1.5;

    /// <summary>Momentum; 0.8 (openTSNE's final momentum; its transform has no early-exaggeration phase).</summary>
    public double Momentum { get; init; } = 0.8;

    /// <summary>Gradient norm clip per point; 0.25 (openTSNE's transform).</summary>
    public double MaxGradientNorm { get; init; } = 0.25;

    /// <summary>Barnes–Hut opening angle over the fixed reference; 0.5.</summary>
    public double Theta { get; init; } = 0.5;

    /// <summary>Most threads to use; −1 for all cores.</summary>
    public int MaxThreads { get; init; } = -1;
}
