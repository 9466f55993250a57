using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

public sealed partial class ModelGraph
{
    private static readonly HashSet<string> SpatialOps = ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"];

    /// <summary>
    /// The most values one image may have at the image input (C·H·W) for the library to run the model on it, the shape dry
    /// run included: 16,777,216 (64 MB of float32, 3×2364×2364), far above CNN inputs in use (224² to about 1024²), and
    /// low enough that a file declaring a huge input cannot make one run allocate gigabytes.
    /// </summary>
    public const long MaxImageInputValues = 1L << 24;

    /// <summary>Graph inputs other than the image input that no initializer provides (for example weights exported as inputs).</summary>
    public IReadOnlyList<TensorInfo> OtherInputs =>
        Proto.Graph.Input.Where(i => i.Name != ImageInput.Name && !_initializers.ContainsKey(i.Name)).Select(ToTensorInfo).ToList();

    /// <summary>Why a model with <see cref="OtherInputs"/> cannot be run on images alone.</summary>
    internal static string OtherInputsMessage(string sourceName, IReadOnlyList<TensorInfo> inputs) =>
        $"model '{sourceName}' has {inputs.Count} input{(inputs.Count == 1 ? "" : "s")} besides its image input that no initializer provides " +
        $"({string.Join(", ", inputs.Take(5).Select(i => i.Name + i.ShapeText))}{(inputs.Count > 5 ? ", ..." : "")}); " +
        "its weights were probably exported as graph inputs: export them as initializers (torch.onnx.export(..., export_params=True), " +
        "or ONNX's 'keep_initializers_as_inputs=False') so the model runs on images alone.";

    private static void Validate(ModelProto proto, string sourceName, int byteCount)
    {
        string Corrupt(string what) => $"model '{sourceName}' ({byteCount} bytes) is not a usable ONNX model: {what}.";
        if (proto.Graph is null || (proto.Graph.Node.Count == 0 && proto.Graph.Input.Count == 0))
            throw new CnnDiagnosticsException(Corrupt("it has no graph (is this an ONNX file?)"));
        if (!proto.HasIrVersion || proto.IrVersion < 1 || proto.IrVersion > 64)
            throw new CnnDiagnosticsException(Corrupt($"IR version {(proto.HasIrVersion ? proto.IrVersion.ToString() : "missing")} is not a valid ONNX IR version (1 to 11 today)"));
        if (proto.OpsetImport.Count == 0)
            throw new CnnDiagnosticsException(Corrupt("it imports no operator set"));
        if (proto.Graph.Node.Count == 0)
            throw new CnnDiagnosticsException(Corrupt("its graph has no nodes"));
        var known = new HashSet<string>(StringComparer.Ordinal) { "" };
        foreach (var i in proto.Graph.Input) known.Add(i.Name);
        foreach (var i in proto.Graph.Initializer) known.Add(i.Name);
        foreach (var n in proto.Graph.Node) foreach (var o in n.Output) known.Add(o);
        foreach (var (node, index) in proto.Graph.Node.Select((n, i) => (n, i)))
        {
            if (string.IsNullOrEmpty(node.OpType))
                throw new CnnDiagnosticsException(Corrupt($"node {index} ('{node.Name}') has no operator type"));
            foreach (var input in node.Input)
                if (!known.Contains(input))
                    throw new CnnDiagnosticsException(Corrupt($"node {index} ('{node.Name}', {node.OpType}) reads tensor '{input}', which no input, initializer or node provides"));
        }
        foreach (var o in proto.Graph.Output)
            if (!known.Contains(o.Name))
                throw new CnnDiagnosticsException(Corrupt($"graph output '{o.Name}' is produced by no node"));
    }

    private TensorInfo FindImageInput()
    {
        var candidates = Proto.Graph.Input.Where(i => !_initializers.ContainsKey(i.Name)).Select(ToTensorInfo).ToList();
        var image = candidates.FirstOrDefault(c => c.Shape is { Length: 4 } && c.ElementType == (int)TensorProto.Types.DataType.Float);
        if (image is not null) return image;
        string found = candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => $"{c.Name}{c.ShapeText} ({(TensorProto.Types.DataType)c.ElementType})"));
        throw new CnnDiagnosticsException($"model '{SourceName}' has no 4-D float image input (N, C, H, W), so it is not a CNN this library can analyse; its inputs are: {found}.");
    }

    private IReadOnlyList<LayerInfo> BuildLayers()
    {
        var shapes = _shapes.Value;
        var layers = new List<LayerInfo>(Proto.Graph.Node.Count);
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, index) in Proto.Graph.Node.Select((n, i) => (n, i)))
        {
            string name = !string.IsNullOrEmpty(node.Name) && usedNames.Add(node.Name) ? node.Name : (node.Output.FirstOrDefault() ?? $"{node.OpType}_{index}");
            usedNames.Add(name);
            long parameters = node.Input.Where(i => i.Length > 0 && IsWeight(i)).Sum(i => WeightElementCount(i));
            TensorInfo? output = node.Output.Count > 0 && shapes.TryGetValue(node.Output[0], out var s) ? s : null;
            layers.Add(new LayerInfo(index, name, node.OpType, node.Input.ToList(), node.Output.ToList(), output, parameters,
                SpatialOps.Contains(node.OpType) ? ReadConvolutionAttributes(node) : null));
        }
        return layers;
    }

    private long WeightElementCount(string name)
    {
        if (_initializers.TryGetValue(name, out var t)) return t.Dims.Aggregate(1L, (a, d) => a * d);
        var value = _producers[name].Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        return value?.Dims.Aggregate(1L, (a, d) => a * d) ?? 0;
    }

    private ConvolutionAttributes ReadConvolutionAttributes(NodeProto node)
    {
        int[]? Ints(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.Select(v => (int)v).ToArray();
        int[]? kernel = Ints("kernel_shape");
        if (kernel is null || kernel.Length == 0)
        {
            // Conv may omit kernel_shape: take it from the weight's trailing dimensions.
            kernel = node.Input.Count > 1 && _initializers.TryGetValue(node.Input[1], out var w) ? w.Dims.Skip(2).Select(d => (int)d).ToArray() : [1, 1];
        }
        int rank = kernel.Length;
        int[] strides = Ints("strides") is { Length: > 0 } st ? st : Enumerable.Repeat(1, rank).ToArray();
        int[] pads = Ints("pads") is { Length: > 0 } p ? p : new int[2 * rank];
        int[] dilations = Ints("dilations") is { Length: > 0 } d ? d : Enumerable.Repeat(1, rank).ToArray();
        int group = (int)(node.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1);
        string autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        if (strides.Length != rank || pads.Length != 2 * rank || dilations.Length != rank)
            throw new CnnDiagnosticsException($"node '{node.Name}' ({node.OpType}) in '{SourceName}' has inconsistent attributes: kernel [{string.Join(",", kernel)}], strides [{string.Join(",", strides)}], pads [{string.Join(",", pads)}], dilations [{string.Join(",", dilations)}].");
        return new ConvolutionAttributes(kernel, strides, pads, dilations, Math.Max(1, group), autoPad);
    }

    /// <summary>
    /// Shapes declared in the file; where some node output has none, the graph this one was rewritten from gives it (when
    /// the rewrite keeps shapes and both would be measured at the same batch), else one dry run
    /// (<see cref="ShapeService.DryRun"/>) measures the rest.
    /// </summary>
    private Dictionary<string, TensorInfo> InferShapes()
    {
        var shapes = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var vi in Proto.Graph.ValueInfo.Concat(Proto.Graph.Output).Concat(Proto.Graph.Input))
        {
            var info = ToTensorInfo(vi);
            if (info.Shape is not null && info.Shape.Skip(1).All(d => d > 0)) shapes[vi.Name] = info;
        }
        var missing = Proto.Graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0 && !shapes.ContainsKey(o)).Distinct().ToList();
        var source = _shapeSource;
        _shapeSource = null;
        if (missing.Count > 0 && source is not null && source.DryRunBatch == DryRunBatch)
        {
            var inherited = source._shapes.Value;
            bool unfixBatch = HasSymbolicBatch && !source.HasSymbolicBatch;
            foreach (var name in missing)
                if (inherited.TryGetValue(name, out var info))
                    shapes[name] = unfixBatch && info.Shape is { Length: > 0 } shape ? info with { Shape = [-1, .. shape[1..]] } : info;
            missing.RemoveAll(shapes.ContainsKey);
        }
        if (missing.Count == 0) return shapes;
        foreach (var measured in ShapeService.DryRun(this, missing)) shapes[measured.Name] = measured;
        return shapes;
    }

    /// <summary>The batch a dry run of this graph feeds: the image input's fixed batch, or 1 where it is symbolic.</summary>
    internal int DryRunBatch => ImageInput.Shape is { Length: > 0 } s && s[0] > 0 ? s[0] : 1;
}
