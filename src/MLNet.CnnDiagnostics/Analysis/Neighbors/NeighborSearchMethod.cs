namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Which nearest-neighbour search builds t-SNE's affinities.</summary>
public enum NeighborSearchMethod
{
    /// <summary>Exact search up to <see cref="TsneOptions.ApproximateNeighborsFrom"/> points, approximate above.</summary>
    Auto,

    /// <summary>Exact blocked brute-force search, O(N²·D).</summary>
    Exact,

    /// <summary>Random-projection forest refined by nearest-neighbour descent: approximate, about O(N·log N·D).</summary>
    Approximate,
}
