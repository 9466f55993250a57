namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Where t-SNE's points start.</summary>
public enum TsneInitialization
{
    /// <summary>The first two principal components, scaled so the first has standard deviation 1e-4 (openTSNE's default, Kobak &amp; Berens 2019).</summary>
    Pca,

    /// <summary>Independent Gaussian coordinates with standard deviation 1e-4, from the seed.</summary>
    Random,
}
