using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// An ONNX CNN as the rest of the library sees it: its layers with shapes, its weights, its image input,
/// and rewrites (extra outputs for taps, a symbolic batch dimension). Instances are immutable; rewrites return copies.
/// </summary>
public sealed partial class ModelGraph
{
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly Dictionary<string, NodeProto> _producers;
    private readonly Lazy<IReadOnlyList<LayerInfo>> _layers;
    private readonly Lazy<Dictionary<string, TensorInfo>> _shapes;

    // the graph this one was rewritten from when the rewrite kept every tensor's shape; dropped once the shapes are read
    private ModelGraph? _shapeSource;

    private ModelGraph(ModelProto proto, string sourceName, ModelGraph? shapeSource = null)
    {
        Proto = proto;
        SourceName = sourceName;
        _shapeSource = shapeSource;
        _initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var init in proto.Graph.Initializer) _initializers.TryAdd(init.Name, init);
        _producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in proto.Graph.Node)
            foreach (var output in node.Output)
                if (output.Length > 0) _producers.TryAdd(output, node);
        ImageInput = FindImageInput();
        _shapes = new Lazy<Dictionary<string, TensorInfo>>(InferShapes);
        _layers = new Lazy<IReadOnlyList<LayerInfo>>(BuildLayers);
    }

    /// <summary>The parsed protobuf; edit only copies.</summary>
    internal ModelProto Proto { get; }

    /// <summary>Where the model came from (a file path or a caller-given name), used in messages.</summary>
    public string SourceName { get; }

    /// <summary>The 4-D float input (N, C, H, W) that takes images.</summary>
    public TensorInfo ImageInput { get; }

    /// <summary>The graph's declared outputs.</summary>
    public IReadOnlyList<TensorInfo> Outputs => Proto.Graph.Output.Select(ToTensorInfo).ToList();

    /// <summary>The opset version of the default ONNX domain.</summary>
    public long OpsetVersion => Proto.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

    /// <summary>Every node as a layer, in graph order, with output shapes (inferred by one dry run where the file has none).</summary>
    public IReadOnlyList<LayerInfo> Layers => _layers.Value;

    /// <summary>Names of all initializers (weights).</summary>
    public IEnumerable<string> InitializerNames => _initializers.Keys;

    /// <summary>Loads a model from a file, opened read-only.</summary>
    public static ModelGraph Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new CnnDiagnosticsException($"model file '{path}' does not exist.");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CnnDiagnosticsException($"model file '{path}' cannot be read: {e.Message}", e);
        }
        return Load(bytes, path);
    }

    /// <summary>Loads a model from a stream (read to its end, not closed).</summary>
    public static ModelGraph Load(Stream stream, string sourceName = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(copy.ToArray(), sourceName);
    }

    /// <summary>Loads a model from its serialized bytes.</summary>
    public static ModelGraph Load(byte[] bytes, string sourceName = "<bytes>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            throw new CnnDiagnosticsException($"model '{sourceName}' is empty (0 bytes); expected an ONNX model file.");
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new CnnDiagnosticsException($"model '{sourceName}' is not a valid ONNX file ({bytes.Length} bytes): the protobuf data is corrupt or truncated ({e.Message}).", e);
        }
        Validate(proto, sourceName, bytes.Length);
        return new ModelGraph(proto, sourceName);
    }

    /// <summary>
    /// A graph over an edited copy of a loaded model's protobuf, checked as <see cref="Load(byte[], string)"/> checks a file
    /// but without serialising and parsing it again: the copy shares the original's weights (immutable byte strings)
    /// instead of holding a second copy of them.
    /// </summary>
    internal static ModelGraph FromEdited(ModelProto edited, string sourceName)
    {
        Validate(edited, sourceName, edited.CalculateSize());
        return new ModelGraph(edited, sourceName);
    }

    /// <summary>The serialized model; an unmodified model gives back the bytes it was loaded from.</summary>
    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>Writes the serialized model to <paramref name="stream"/> without a byte array of it (the stream is not closed).</summary>
    internal void WriteTo(Stream stream) => Proto.WriteTo(stream);

    /// <summary>Writes the model to a file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    /// <summary>Finds a layer by node name or by the name of a tensor it produces.</summary>
    /// <exception cref="CnnDiagnosticsException">No such layer; the message lists the closest names.</exception>
    public LayerInfo GetLayer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var layers = Layers;
        var layer = layers.FirstOrDefault(l => l.Name == name) ?? layers.FirstOrDefault(l => l.Outputs.Contains(name));
        return layer ?? throw new CnnDiagnosticsException(
            $"layer '{name}' not found in model '{SourceName}'; {ClosestNames.Suggest(name, layers.Select(l => l.Name).Concat(layers.SelectMany(l => l.Outputs)))}.");
    }

    /// <summary>Resolves a layer name or tensor name to a tensor name (a layer's first output).</summary>
    public string ResolveTensor(string name)
    {
        if (_producers.ContainsKey(name) || Proto.Graph.Input.Any(i => i.Name == name)) return name;
        return GetLayer(name).Outputs[0];
    }

    /// <summary>Shape of a tensor (graph input, initializer or any node output), -1 for the batch or unknown dimensions.</summary>
    public TensorInfo GetTensorInfo(string tensorName)
    {
        if (_initializers.TryGetValue(tensorName, out var init))
            return new TensorInfo(tensorName, init.Dims.Select(d => (int)d).ToArray(), init.DataType);
        var input = Proto.Graph.Input.FirstOrDefault(i => i.Name == tensorName);
        if (input is not null) return ToTensorInfo(input);
        string resolved = ResolveTensor(tensorName);
        return _shapes.Value.TryGetValue(resolved, out var info) ? info : new TensorInfo(resolved, null, 0);
    }

    /// <summary>True when the tensor is a weight: an initializer or the output of a Constant node.</summary>
    public bool IsWeight(string tensorName) =>
        _initializers.ContainsKey(tensorName) || (_producers.TryGetValue(tensorName, out var n) && n.OpType == "Constant");

    /// <summary>
    /// Whether the image input is planar (<c>[N,C,H,W]</c>) or channels last (<c>[N,H,W,C]</c>): channels last when the
    /// input is transposed to planar by its first node (perm [0,3,1,2]), or when its last dimension is 1, 3 or 4 and its
    /// second is not.
    /// </summary>
    public ImageLayout ImageLayout
    {
        get
        {
            var consumer = Proto.Graph.Node.FirstOrDefault(n => n.Input.Contains(ImageInput.Name));
            if (consumer is { OpType: "Transpose" } && NodeAttributes.GetInts(consumer, "perm") is [0, 3, 1, 2]) return ImageLayout.ChannelsLast;
            var s = ImageInput.Shape!;
            return s[3] is 1 or 3 or 4 && s[1] is not (1 or 3 or 4) ? ImageLayout.ChannelsLast : ImageLayout.Planar;
        }
    }

    /// <summary>The image input's channels, height and width (−1 where not fixed), whatever its layout.</summary>
    public (int Channels, int Height, int Width) ImageSize
    {
        get
        {
            var s = ImageInput.Shape!;
            return ImageLayout == ImageLayout.ChannelsLast ? (s[3], s[1], s[2]) : (s[1], s[2], s[3]);
        }
    }

    /// <summary>The value of an initializer or Constant node, or null when the tensor is computed.</summary>
    internal GraphTensor? FindConstant(string tensorName)
    {
        if (_initializers.TryGetValue(tensorName, out var init)) return GraphTensor.Of(init);
        return _producers.TryGetValue(tensorName, out var n) && n.OpType == "Constant" && n.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } t ? GraphTensor.Of(t) : null;
    }

    /// <summary>The node at <paramref name="index"/> in graph order (a layer's <see cref="LayerInfo.Index"/>), as the read model.</summary>
    internal GraphNode NodeAt(int index) => GraphNode.Of(Proto.Graph.Node[index]);

    /// <summary>Reads an initializer or a Constant node's value as a float tensor (float, float16, double and integer encodings).</summary>
    public FloatTensor GetWeight(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_initializers.TryGetValue(name, out var init)) return TensorProtoReader.ToFloatTensor(init, SourceName);
        if (_producers.TryGetValue(name, out var node) && node.OpType == "Constant")
        {
            var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)
                ?? throw new CnnDiagnosticsException($"Constant node '{node.Name}' in '{SourceName}' has no tensor 'value' attribute; only tensor constants can be read as weights.");
            return TensorProtoReader.ToFloatTensor(value.T, SourceName);
        }
        var names = _initializers.Keys.Concat(Proto.Graph.Node.Where(n => n.OpType == "Constant").SelectMany(n => n.Output));
        throw new CnnDiagnosticsException($"weight '{name}' not found in model '{SourceName}'; {ClosestNames.Suggest(name, names)}.");
    }

    /// <summary>The weight tensor of a convolution layer ([out, in/group, kh, kw]).</summary>
    public FloatTensor GetConvolutionWeights(string layerName)
    {
        var layer = GetLayer(layerName);
        if (!layer.IsConvolution)
        {
            var convs = Layers.Where(l => l.IsConvolution).Select(l => l.Name);
            throw new CnnDiagnosticsException($"layer '{layer.Name}' is a {layer.OpType}, not a convolution; convolution layers: {string.Join(", ", convs.Take(8))}{(convs.Count() > 8 ? ", ..." : "")}.");
        }
        return GetWeight(layer.Inputs[1]);
    }

    /// <summary>A copy of the model whose graph also outputs the given tensors (layer or tensor names): the activation taps.</summary>
    public ModelGraph WithOutputs(IEnumerable<string> names)
    {
        var rewriter = new GraphRewriter(this);
        var existing = new HashSet<string>(rewriter.OutputNames);
        foreach (var name in names)
        {
            string tensor = ResolveTensor(name);
            if (!existing.Add(tensor)) continue;
            var info = GetTensorInfo(tensor);
            rewriter.AddOutput(tensor, info.ElementType == 0 ? 1 : info.ElementType, info.Shape, ImageInput.Shape is { } s && s.Length > 0 && s[0] < 0);
        }
        return rewriter.Finish(SourceName, shapesFrom: this);
    }

    /// <summary>A copy of the model whose outputs are exactly the given tensors (in this order).</summary>
    public ModelGraph WithOnlyOutputs(IEnumerable<string> names)
    {
        var rewriter = new GraphRewriter(WithOutputs(names));
        rewriter.KeepOutputs(names.Select(ResolveTensor).Distinct().ToList());
        return rewriter.Finish(SourceName, shapesFrom: this);
    }

    /// <summary>
    /// The model as a planar one: for a channels-last model (<see cref="ImageLayout"/>), a copy whose image input is
    /// <c>[N, C, H, W]</c> (same name) followed by a Transpose to the layout the network was written for, so taps,
    /// gradients, attributions and drawings all see planar images; a planar model is returned as it is.
    /// </summary>
    /// <param name="layout">The layout the model's input has, when the user knows better than the detection.</param>
    public ModelGraph AsPlanar(ImageLayout? layout = null)
    {
        if ((layout ?? ImageLayout) == ImageLayout.Planar) return this;
        var rewriter = new GraphRewriter(this);
        rewriter.TransposeInputToPlanar(ImageInput.Name);
        return rewriter.Finish(SourceName, shapesFrom: this);
    }

    /// <summary>
    /// A copy whose first input/output dimension is symbolic, so that one run can take a batch of any size
    /// (models such as the embedded ResNet18 are exported with batch 1). Reshape targets (initializers or Constant nodes,
    /// used by that Reshape only) that hard-code the old batch size in their first entry are rewritten to copy it (0),
    /// but only where the reshaped data comes from the image input and the Reshape does not set allowzero=1:
    /// a Reshape of a weight (say a mean [3] → [1,3,1,1]) keeps its shape.
    /// </summary>
    public ModelGraph WithSymbolicBatch(string dimName = "N")
    {
        var rewriter = new GraphRewriter(this);
        rewriter.SymbolicBatch(ImageInput.Name, ImageInput.Shape is { Length: > 0 } s && s[0] > 0 ? s[0] : -1, dimName);
        return rewriter.Finish(SourceName, shapesFrom: this);
    }

    /// <summary>
    /// A model over a rewritten copy (the rewriter hands its graph over; no re-validation, as for the other rewrites).
    /// <paramref name="shapesFrom"/>: the graph it was rewritten from, where the rewrite changed no tensor's shape (but
    /// perhaps the batch dimension's being symbolic): the layer table then takes the shapes it measured instead of running
    /// the model again.
    /// </summary>
    internal static ModelGraph FromRewritten(ModelProto proto, string sourceName, ModelGraph? shapesFrom = null) => new(proto, sourceName, shapesFrom);

    /// <summary>True when the image input's batch dimension is symbolic (or unknown) rather than fixed.</summary>
    public bool HasSymbolicBatch => ImageInput.Shape is { Length: > 0 } s && s[0] < 0;

    internal static TensorInfo ToTensorInfo(ValueInfoProto vi)
    {
        var tt = vi.Type?.TensorType;
        int[]? shape = tt?.Shape?.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? (int)Math.Min(d.DimValue, int.MaxValue) : -1).ToArray();
        if (tt is not null && tt.Shape is null) shape = null;
        return new TensorInfo(vi.Name, shape, tt?.ElemType ?? 0);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ModelGraph '{SourceName}' ({Proto.Graph.Node.Count} nodes, opset {OpsetVersion})";
}
