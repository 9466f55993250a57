namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>How the distance between two embedding vectors is measured.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean (L2) distance √Σ(xᵢ−yᵢ)².</summary>
    Euclidean,

    /// <summary>Cosine distance 1 − x·y/(‖x‖‖y‖), in [0, 2]; a zero vector is at distance 1 from everything.</summary>
    Cosine,
}
