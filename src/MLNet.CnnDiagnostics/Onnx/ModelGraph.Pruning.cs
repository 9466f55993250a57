namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// A copy without the nodes, initializers and value infos that none of the graph's outputs depends on (the inputs
    /// that are not initializers all stay): a session over a tap of the first layers then loads the first layers' weights
    /// only. The outputs' values are unchanged. A graph with subgraphs (If, Loop, Scan) is returned as it is, since a
    /// subgraph may read any tensor of the outer graph.
    /// </summary>
    public ModelGraph PrunedToOutputs()
    {
        var rewriter = new GraphRewriter(this);
        if (rewriter.HasSubgraphs) return this;
        return rewriter.Prune(rewriter.OutputNames) ? rewriter.Finish(SourceName, shapesFrom: this) : this;
    }
}
