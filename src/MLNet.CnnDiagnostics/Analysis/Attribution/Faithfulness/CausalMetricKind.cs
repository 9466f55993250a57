namespace MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;

/// <summary>The two causal metrics of Petsiuk et al. 2018 (RISE).</summary>
public enum CausalMetricKind
{
    /// <summary>Start from the image and replace the most important pixels first by the baseline: a faithful map makes the score fall fast (low area).</summary>
    Deletion,

    /// <summary>Start from the baseline (by default a blurred copy) and reveal the most important pixels first: a faithful map makes the score rise fast (high area).</summary>
    Insertion,
}
