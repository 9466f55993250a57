namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>One retrieved neighbour of a query in a <see cref="RetrievalGallery"/>.</summary>
/// <param name="Index">The neighbour's row in the embeddings.</param>
/// <param name="Distance">Its distance to the query.</param>
/// <param name="Label">Its class.</param>
/// <param name="SameClass">Whether its class is the query's.</param>
public sealed record RetrievalNeighbor(int Index, float Distance, int Label, bool SameClass);
