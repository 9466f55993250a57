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
        var copy = Proto.Clone();
        var kernels = copy.Graph.Node.Where(n => n.OpType == "Conv" && n.Input.Count > 1).Select(n => n.Input[1]).ToHashSet();
        var random = new Random(seed);
        for (int i = 0; i < copy.Graph.Initializer.Count; i++)
        {
            var t = copy.Graph.Initializer[i];
            if (!kernels.Contains(t.Name)) continue;
            var shape = t.Dims.Select(d => (int)d).ToArray();
            double limit = Math.Sqrt(6.0 / Math.Max(1, shape.Skip(1).Aggregate(1L, (p, d) => p * d)));
            var values = new FloatTensor(shape);
            for (int j = 0; j < values.Length; j++) values.Data[j] = (float)((random.NextDouble() * 2 - 1) * limit);
            copy.Graph.Initializer[i] = TensorProtoReader.FromFloatTensor(t.Name, values);
        }
        return new ModelGraph(copy, $"{SourceName} (convolutions re-initialised, seed {seed})");
    }
}
