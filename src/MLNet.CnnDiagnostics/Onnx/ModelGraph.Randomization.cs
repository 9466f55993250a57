namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// A copy whose convolution kernels are re-initialised at random (uniform He/Kaiming: ±√(6 / fan-in)), the other
    /// weights kept: the model of the randomization sanity check (Adebayo et al. 2018), where a faithful saliency
    /// method must give different maps.
    /// </summary>
    public ModelGraph WithReinitializedConvolutions(int seed)
    {
        var rewriter = new GraphRewriter(this);
        var kernels = rewriter.Nodes.Where(n => n.OpType == "Conv" && n.Input.Count > 1).Select(n => n.Input[1]).ToHashSet();
        var random = new Random(seed);
        foreach (var name in rewriter.InitializerNames.Where(kernels.Contains).ToList())
        {
            var shape = rewriter.Constant(name)!.Dims.Select(d => (int)d).ToArray();
            double limit = Math.Sqrt(6.0 / Math.Max(1, shape.Skip(1).Aggregate(1L, (p, d) => p * d)));
            var values = new FloatTensor(shape);
            for (int j = 0; j < values.Length; j++) values.Data[j] = (float)((random.NextDouble() * 2 - 1) * limit);
            rewriter.ReplaceInitializer(GraphTensor.FromFloatTensor(name, values));
        }
        return rewriter.Finish($"{SourceName} (convolutions re-initialised, seed {seed})", shapesFrom: this);
    }
}
