using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    /// <summary>
    /// A copy whose image input takes raw pixels and normalises them inside the graph, as torchvision's <c>Normalize</c>
    /// does after <c>ToTensor</c>: the network sees (x / <paramref name="inputScale"/> − mean[c]) / std[c]. With
    /// <paramref name="inputScale"/> 255 the model reads ML.NET's ExtractPixels output (0..255) directly, so reports and
    /// overlays show real images. The input keeps its name and shape; Mul, Sub and Div nodes are prepended to it.
    /// </summary>
    /// <param name="mean">One value per input channel (or one value for all channels), on the [0, 1] scale.</param>
    /// <param name="std">One positive value per input channel (or one value for all channels).</param>
    /// <param name="inputScale">The raw value that means full brightness (255 for 8-bit pixels, 1 for [0, 1] inputs).</param>
    public ModelGraph WithInputNormalization(float[] mean, float[] std, float inputScale = 255f)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        int channels = ImageInput.Shape is { Length: 4 } s && s[1] > 0 ? s[1] : Math.Max(mean.Length, std.Length);
        float[] m = PerChannel(mean, channels, "mean");
        float[] d = PerChannel(std, channels, "std");
        if (d.Any(v => !(v > 0) || !float.IsFinite(v)))
            throw new CnnDiagnosticsException($"std [{string.Join(", ", d)}] is not valid: every value must be a positive finite number.");
        if (m.Any(v => !float.IsFinite(v)))
            throw new CnnDiagnosticsException($"mean [{string.Join(", ", m)}] is not valid: every value must be a finite number.");
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new CnnDiagnosticsException($"input scale {inputScale} is not valid: it must be a positive finite number (255 for 8-bit pixels).");

        var copy = Proto.Clone();
        var g = copy.Graph;
        string input = ImageInput.Name;
        var taken = new HashSet<string>(g.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(g.Initializer.Select(i => i.Name)).Concat(g.Input.Select(i => i.Name)), StringComparer.Ordinal);
        string Fresh(string name)
        {
            string candidate = name;
            for (int k = 1; !taken.Add(candidate); k++) candidate = $"{name}_{k}";
            return candidate;
        }
        string normalized = Fresh(input + "_normalized");
        foreach (var node in g.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == input) node.Input[i] = normalized;
        foreach (var output in g.Output.Where(o => o.Name == input)) output.Name = normalized;

        string scaleName = Fresh("input_scale"), meanName = Fresh("input_mean"), stdName = Fresh("input_std");
        string scaled = Fresh(input + "_scaled"), centred = Fresh(input + "_centred");
        g.Initializer.Add(ChannelConstant(scaleName, [1f / inputScale], 1));
        g.Initializer.Add(ChannelConstant(meanName, m, channels));
        g.Initializer.Add(ChannelConstant(stdName, d, channels));
        var prepended = new[]
        {
            ArithmeticNode("Mul", Fresh("input_scale_mul"), input, scaleName, scaled),
            ArithmeticNode("Sub", Fresh("input_mean_sub"), scaled, meanName, centred),
            ArithmeticNode("Div", Fresh("input_std_div"), centred, stdName, normalized),
        };
        for (int i = prepended.Length - 1; i >= 0; i--) g.Node.Insert(0, prepended[i]);
        if (ImageInput.HasKnownItemShape)
            foreach (var tensor in new[] { scaled, centred, normalized })
                g.ValueInfo.Add(MakeValueInfo(tensor, ImageInput.ElementType, ImageInput.Shape, HasSymbolicBatch));
        return new ModelGraph(copy, SourceName);
    }

    private static float[] PerChannel(float[] values, int channels, string what)
    {
        if (values.Length == channels) return (float[])values.Clone();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        throw new CnnDiagnosticsException($"{what} has {values.Length} values [{string.Join(", ", values)}]; the image input has {channels} channel(s): give {channels} value(s) or one for all.");
    }

    private static TensorProto ChannelConstant(string name, float[] values, int channels)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(values.Length == 1 && channels == 1 ? [1L, 1, 1, 1] : [1L, channels, 1, 1]);
        t.FloatData.AddRange(values);
        return t;
    }

    private static NodeProto ArithmeticNode(string op, string name, string a, string b, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(a);
        node.Input.Add(b);
        node.Output.Add(output);
        return node;
    }
}
