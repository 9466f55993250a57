namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>How t-SNE approximates the repulsive part of the gradient.</summary>
public enum TsneGradientMethod
{
    /// <summary>Barnes–Hut below <see cref="TsneOptions.InterpolationFrom"/> points, interpolation at and above (as openTSNE's "auto").</summary>
    Auto,

    /// <summary>Barnes–Hut quadtree with opening angle <see cref="TsneOptions.Theta"/>, O(N log N) an iteration.</summary>
    BarnesHut,

    /// <summary>FFT-accelerated interpolation (FIt-SNE), O(N) an iteration plus an FFT over the grid.</summary>
    Interpolation,
}
