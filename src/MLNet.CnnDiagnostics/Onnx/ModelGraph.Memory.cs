using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// The most bytes of tensors alive at once while one item runs through the graph in node order (see
    /// <see cref="PeakLiveBytes"/>): what ONNX Runtime needs for one item without a memory arena, before its own fusions
    /// and workspaces; a batch of n items needs about n times it. Shapes come from the file or from one dry run.
    /// </summary>
    internal long PeakActivationBytesPerItem() =>
        PeakLiveBytes(Proto.Graph, ImageInput.Name, t => _initializers.ContainsKey(t) ? 0 : ItemBytes(GetTensorInfo(t)));

    /// <summary>
    /// The most bytes alive at once when a graph's nodes run in order: each node output counts from the node that makes it
    /// to its last reader (a graph output to the end), <paramref name="input"/> until its last reader. A tensor of which
    /// <paramref name="itemBytes"/> says 0 (a weight, a shape, one of unknown size) is not counted.
    /// </summary>
    internal static long PeakLiveBytes(GraphProto graph, string input, Func<string, long> itemBytes)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var read in graph.Node[i].Input)
                if (read.Length > 0) lastUse[read] = i;
        foreach (var output in graph.Output) lastUse[output.Name] = graph.Node.Count;

        // bytes that die after node i (the input's, when no node reads it, before the first)
        var dying = new long[graph.Node.Count + 2];
        long live = 0, peak = 0;
        void Born(string tensor, int at)
        {
            long bytes = itemBytes(tensor);
            if (bytes <= 0) return;
            live += bytes;
            dying[lastUse.GetValueOrDefault(tensor, at) + 1] += bytes;
        }
        Born(input, -1);
        live -= dying[0];
        for (int i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output)
                if (output.Length > 0) Born(output, i);
            peak = Math.Max(peak, live);
            live -= dying[i + 1];
        }
        return peak;
    }

    /// <summary>Bytes of one item of a tensor (its shape without the batch dimension); 0 when a dimension is unknown.</summary>
    internal static long ItemBytes(TensorInfo info)
    {
        if (info.Shape is not { Length: > 0 } shape) return 0;
        long count = 1;
        for (int d = 1; d < shape.Length; d++)
        {
            if (shape[d] <= 0) return 0;
            count *= shape[d];
        }
        return count * ElementBytes(info.ElementType);
    }

    private static int ElementBytes(int elementType) => (TensorProto.Types.DataType)elementType switch
    {
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 => 1,
        _ => 4,
    };

    /// <summary>The most bytes per item alive at once when this graph runs in node order (see the static overload).</summary>
    internal long PeakLiveBytesInOrder(string input, Func<string, long> itemBytes) => PeakLiveBytes(Proto.Graph, input, itemBytes);
}
