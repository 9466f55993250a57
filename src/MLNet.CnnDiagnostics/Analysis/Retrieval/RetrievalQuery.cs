namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>A query image of a <see cref="RetrievalGallery"/> and its nearest neighbours, nearest first.</summary>
/// <param name="Index">The query's row in the embeddings.</param>
/// <param name="Label">The query's class.</param>
/// <param name="Neighbors">Its k nearest other points.</param>
public sealed record RetrievalQuery(int Index, int Label, IReadOnlyList<RetrievalNeighbor> Neighbors)
{
    /// <summary>Fraction of the neighbours that share the query's class (precision at k).</summary>
    public double Precision => Neighbors.Count == 0 ? 0 : Neighbors.Count(n => n.SameClass) / (double)Neighbors.Count;
}
