namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>The stage a t-SNE run is in, as reported through <see cref="TsneProgress"/>.</summary>
public enum TsnePhase
{
    /// <summary>Searching the nearest neighbours of every point.</summary>
    Neighbors,

    /// <summary>Calibrating and symmetrising the affinities.</summary>
    Affinities,

    /// <summary>Optimising with early exaggeration.</summary>
    EarlyExaggeration,

    /// <summary>Optimising without (or with the final) exaggeration.</summary>
    Embedding,

    /// <summary>Placing new points into a fixed embedding.</summary>
    Transform,
}
