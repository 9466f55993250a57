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
        var graph = Proto.Graph;
        if (graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))) return this;
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name));
        var keep = new bool[graph.Node.Count];
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            keep[i] = true;
            foreach (var input in node.Input)
                if (input.Length > 0) needed.Add(input);
        }
        if (keep.All(k => k)) return this;
        var copy = Proto.Clone();
        var g = copy.Graph;
        var nodes = g.Node.Where((_, i) => keep[i]).ToList();
        g.Node.Clear();
        g.Node.AddRange(nodes);
        var initializers = g.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        var dropped = g.Initializer.Select(t => t.Name).Where(n => !needed.Contains(n)).ToHashSet();
        g.Initializer.Clear();
        g.Initializer.AddRange(initializers);
        // an old model lists its initializers as graph inputs too: those of dropped initializers go with them
        var inputs = g.Input.Where(i => !dropped.Contains(i.Name)).ToList();
        g.Input.Clear();
        g.Input.AddRange(inputs);
        var infos = g.ValueInfo.Where(v => needed.Contains(v.Name)).ToList();
        g.ValueInfo.Clear();
        g.ValueInfo.AddRange(infos);
        return new ModelGraph(copy, SourceName);
    }
}
