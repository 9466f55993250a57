using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

internal sealed partial class GraphRewriter
{
    /// <summary>
    /// Folds constant per-channel scales into convolutions, a post-pass over an emitted backward graph: a gradient
    /// multiplied by a constant per-channel vector (BatchNormalization's backward) and then read only by a Conv with
    /// constant kernels (a convolution's input gradient) becomes that Conv with its kernels scaled along their input
    /// channels, Conv(g·s, W) = Conv(g, W·s). One pass over the data less, and the gradient stays in ONNX Runtime's
    /// blocked NCHWc layout between the Conv gradients (a Mul by a broadcast vector is not an NCHWc op, so each one cost
    /// a reorder to NCHW and back). Only Muls of nodes named with <paramref name="prefix"/> are folded.
    /// </summary>
    public void FoldChannelScales(string prefix)
    {
        var graph = Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var uses = new Dictionary<string, int>();
        foreach (var node in graph.Node)
            foreach (var input in node.Input) uses[input] = uses.GetValueOrDefault(input) + 1;
        foreach (var output in graph.Output) uses[output.Name] = uses.GetValueOrDefault(output.Name) + 1;
        var readers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (var input in node.Input) readers[input] = node;

        var removed = new HashSet<NodeProto>();
        foreach (var mul in graph.Node)
        {
            if (mul.OpType != "Mul" || !mul.Name.StartsWith(prefix, StringComparison.Ordinal) || mul.Input.Count != 2) continue;
            string y = mul.Output[0];
            if (uses.GetValueOrDefault(y) != 1 || !readers.TryGetValue(y, out var conv) || conv.OpType != "Conv" || conv.Input[0] != y) continue;
            if (conv.Input.Count < 2 || uses.GetValueOrDefault(conv.Input[1]) != 1 || !initializers.TryGetValue(conv.Input[1], out var kernel)) continue;
            int side = Array.FindIndex([mul.Input[0], mul.Input[1]], n => initializers.ContainsKey(n) && IsChannelVector(initializers[n], kernel));
            if (side < 0 || kernel.DataType != (int)TensorProto.Types.DataType.Float) continue;
            var scale = ConstantTensors.ReadFloat(initializers[mul.Input[side]]);
            var weights = ConstantTensors.ReadFloat(kernel);
            long groups = NodeAttributes.GetInt(conv, "group", 1);
            int outputs = (int)kernel.Dims[0], perGroupIn = (int)kernel.Dims[1];
            if (scale.Length != groups * perGroupIn || outputs % groups != 0) continue;
            int taps = weights.Length / (outputs * perGroupIn), perGroupOut = (int)(outputs / groups);
            for (int o = 0; o < outputs; o++)
            for (int i = 0; i < perGroupIn; i++)
            {
                float s = scale[o / perGroupOut * perGroupIn + i];
                int at = (o * perGroupIn + i) * taps;
                for (int t = 0; t < taps; t++) weights[at + t] *= s;
            }
            var folded = GraphTensor.Float(kernel.Name, weights, kernel.Dims.ToArray()).Proto;
            graph.Initializer[graph.Initializer.IndexOf(kernel)] = folded;
            initializers[kernel.Name] = folded;
            conv.Input[0] = mul.Input[1 - side];
            readers[mul.Input[1 - side]] = conv;
            removed.Add(mul);
        }
        if (removed.Count == 0) return;
        var kept = graph.Node.Where(n => !removed.Contains(n)).ToList();
        Keep(graph.Node, kept);
        var read = kept.SelectMany(n => n.Input).ToHashSet();
        Keep(graph.Initializer, graph.Initializer.Where(t => read.Contains(t.Name) || graph.Output.Any(o => o.Name == t.Name)).ToList());
    }

    /// <summary>[C, 1, …, 1] float, one value per input channel of a Conv with kernel <paramref name="kernel"/> (same rank).</summary>
    private static bool IsChannelVector(TensorProto vector, TensorProto kernel) =>
        vector.DataType == (int)TensorProto.Types.DataType.Float && vector.Dims.Count == kernel.Dims.Count - 1 && vector.Dims.Skip(1).All(d => d == 1);
}
