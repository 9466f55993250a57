namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Summary numbers of one convolution filter (all its input channels and kernel positions together).</summary>
/// <param name="Index">Output channel of the filter.</param>
/// <param name="L2Norm">√(Σ w²) over the filter's weights.</param>
/// <param name="Mean">Mean weight.</param>
/// <param name="MaxAbs">Largest absolute weight.</param>
/// <param name="IsDead">True when the norm is at most <see cref="FilterBank.DeadNormFraction"/> × the layer's largest filter norm.</param>
public sealed record FilterStatistics(int Index, double L2Norm, double Mean, double MaxAbs, bool IsDead);
