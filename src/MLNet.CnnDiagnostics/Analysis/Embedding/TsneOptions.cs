namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// t-SNE settings. The defaults are openTSNE's (Poličar et al. 2019) unless noted; see each property for its source.
/// </summary>
public sealed record TsneOptions
{
    /// <summary>Effective number of neighbours; 30 (openTSNE, scikit-learn). Each point uses its ⌊3·perplexity⌋ nearest neighbours.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Distance in the input space; Euclidean.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>Neighbour search for the affinities; <see cref="NeighborSearchMethod.Auto"/> picks exact search below <see cref="ApproximateNeighborsFrom"/>.</summary>
    public NeighborSearchMethod NeighborMethod { get; init; } = NeighborSearchMethod.Auto;

    /// <summary>Point count from which <see cref="NeighborSearchMethod.Auto"/> switches to approximate search; 20,000 (measured here: exact search of 10,000×50 takes well under a second).</summary>
    public int ApproximateNeighborsFrom { get; init; } = 20_000;

    /// <summary>Start layout; PCA scaled to standard deviation 1e-4 (openTSNE; Kobak &amp; Linderman 2021).</summary>
    public TsneInitialization Initialization { get; init; } = TsneInitialization.Pca;

    /// <summary>Exaggeration of the attraction in the first phase; 12 (openTSNE, scikit-learn).</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Iterations of the first phase; 250 (openTSNE, scikit-learn).</summary>
    public int EarlyExaggerationIterations { get; init; } = 250;

    /// <summary>Exaggeration of the second phase; 1, i.e. none (openTSNE).</summary>
    public double Exaggeration { get; init; } = 1;

    /// <summary>Iterations of the second phase; 500 (openTSNE).</summary>
    public int Iterations { get; init; } = 500;

    /// <summary>
    /// Step size for the gradient Σⱼ(pᵢⱼ−qᵢⱼ)wᵢⱼ(yᵢ−yⱼ) (openTSNE's form, without the factor 4); null for automatic:
    /// max(N / 12, 200) (Belkina et al. 2019; openTSNE's "auto").
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>Momentum of the first phase; 0.5 (openTSNE ≤ 0.7, scikit-learn).</summary>
    public double InitialMomentum { get; init; } = 0.5;

    /// <summary>Momentum of the second phase; 0.8 (openTSNE, scikit-learn).</summary>
    public double FinalMomentum { get; init; } = 0.8;

    /// <summary>Lower bound of the per-coordinate adaptive gains (Jacobs 1988 delta-bar-delta); 0.01 (openTSNE).</summary>
    public double MinGain { get; init; } = 0.01;

    /// <summary>Clips each point's gradient to this norm when set; none (openTSNE's fit default).</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>Repulsion method; <see cref="TsneGradientMethod.Auto"/>.</summary>
    public TsneGradientMethod GradientMethod { get; init; } = TsneGradientMethod.Auto;

    /// <summary>Point count from which <see cref="TsneGradientMethod.Auto"/> uses interpolation; 5,000 (openTSNE switches at 10,000; here the FFT path is already faster at 5,000).</summary>
    public int InterpolationFrom { get; init; } = 5_000;

    /// <summary>Barnes–Hut opening angle; 0.5 (openTSNE, scikit-learn).</summary>
    public double Theta { get; init; } = 0.5;

    /// <summary>Interpolation nodes per box and axis; 3 (FIt-SNE, openTSNE).</summary>
    public int InterpolationPoints { get; init; } = 3;

    /// <summary>Fewest boxes per axis; 50 (FIt-SNE, openTSNE).</summary>
    public int MinIntervals { get; init; } = 50;

    /// <summary>Boxes per unit of embedding length (box width at most 1/this); 1 (FIt-SNE, openTSNE).</summary>
    public double IntervalsPerUnit { get; init; } = 1;

    /// <summary>Seed of every random choice (random initialisation, approximate neighbour trees); 0.</summary>
    public int Seed { get; init; }

    /// <summary>Most threads to use; −1 for all cores.</summary>
    public int MaxThreads { get; init; } = -1;

    /// <summary>Iterations between progress reports (each computes the KL divergence); 50 (openTSNE's callbacks_every_iters).</summary>
    public int ReportEvery { get; init; } = 50;
}
