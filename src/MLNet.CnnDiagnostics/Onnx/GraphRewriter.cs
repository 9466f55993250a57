using Google.Protobuf;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// The one place the library edits an ONNX graph: a private copy of a model that nodes, constants, inputs and outputs
/// are added to or removed from, read back as <see cref="GraphNode"/>s and serialized or handed to a new
/// <see cref="ModelGraph"/> when done. Backward graphs, taps, the gradient check's frozen network and every
/// <see cref="ModelGraph"/> rewrite (outputs, planar input, symbolic batch, composition, opset upgrade, input
/// normalisation, pruning, re-initialisation) are written through it; no other type changes a protobuf message of a
/// graph (GraphLayerBoundaryTests checks the compiled code).
/// </summary>
internal sealed partial class GraphRewriter
{
    private readonly ModelProto _model;
    private readonly Dictionary<GraphNode, NodeProto> _read = new(ReferenceEqualityComparer.Instance);

    /// <summary>A rewriter over a copy of <paramref name="model"/>.</summary>
    public GraphRewriter(ModelGraph model) : this((model ?? throw new ArgumentNullException(nameof(model))).Proto) { }

    internal GraphRewriter(ModelProto model) : this(model, owned: false) { }

    private GraphRewriter(ModelProto model, bool owned) => _model = owned ? model : model.Clone();

    private bool _finished;

    private GraphProto Graph => _finished ? throw new InvalidOperationException("the rewriter handed its graph on (to a ModelGraph or a composed graph); start a new one.") : _model.Graph;

    /// <summary>A rewriter over serialized ONNX bytes, checked only for being a model with a graph (the backward builder's own checks follow).</summary>
    public static GraphRewriter Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            if (model.Graph is null) throw new CnnDiagnosticsException("the ONNX model has no graph.");
            return new GraphRewriter(model, owned: true);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CnnDiagnosticsException($"the bytes are not an ONNX model: {e.Message}", e);
        }
    }

    /// <summary>An independent copy of the graph as it is now.</summary>
    public GraphRewriter Clone() => new(_model);

    /// <summary>The nodes in graph order, as read-model copies (<see cref="AddNodeOutput"/>, <see cref="Replace"/> accept them).</summary>
    public IReadOnlyList<GraphNode> Nodes => Graph.Node.Select(Read).ToList();

    /// <summary>The names of the graph inputs (initializers listed as inputs included).</summary>
    public IReadOnlyList<string> InputNames => Graph.Input.Select(i => i.Name).ToList();

    /// <summary>The names of the graph inputs no initializer provides.</summary>
    public IReadOnlyList<string> DataInputNames
    {
        get
        {
            var initializers = Graph.Initializer.Select(t => t.Name).ToHashSet();
            return Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToList();
        }
    }

    /// <summary>The names of the graph outputs.</summary>
    public IReadOnlyList<string> OutputNames => Graph.Output.Select(o => o.Name).ToList();

    /// <summary>The names of the initializers.</summary>
    public IEnumerable<string> InitializerNames => Graph.Initializer.Select(t => t.Name);

    /// <summary>Every tensor name the graph mentions: node inputs and outputs, initializers and inputs.</summary>
    public HashSet<string> TensorNames() =>
        new(Graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(Graph.Initializer.Select(i => i.Name)).Concat(Graph.Input.Select(i => i.Name)));

    /// <summary>The opset version of the default domain.</summary>
    public long OpsetVersion => OpsetUpgrade.Opset(_model);

    /// <summary>The default-domain op types that <see cref="UpgradeOpset"/> cannot carry to <paramref name="target"/>.</summary>
    public IReadOnlyList<string> UnconvertibleOps(long target) => OpsetUpgrade.Unconvertible(_model, target);

    /// <summary>Dimension <paramref name="axis"/> of a graph input when it is fixed; null when symbolic or undeclared.</summary>
    public int? FixedInputDimension(string input, int axis) =>
        Graph.Input.FirstOrDefault(i => i.Name == input)?.Type?.TensorType?.Shape?.Dim is { } dims && dims.Count > axis && dims[axis].HasDimValue
            ? (int)dims[axis].DimValue : null;

    /// <summary>The value of an initializer or Constant node, or null when the tensor is computed.</summary>
    public GraphTensor? Constant(string tensor)
    {
        if (Graph.Initializer.FirstOrDefault(t => t.Name == tensor) is { } init) return GraphTensor.Of(init);
        var node = Graph.Node.FirstOrDefault(n => n.OpType == "Constant" && n.Output.Count == 1 && n.Output[0] == tensor);
        return node?.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } t ? GraphTensor.Of(t) : null;
    }

    /// <summary>Every constant (initializers and single-output Constant nodes with a tensor value), by tensor name.</summary>
    public Dictionary<string, GraphTensor> Constants()
    {
        var constants = new Dictionary<string, GraphTensor>();
        foreach (var t in Graph.Initializer) constants[t.Name] = GraphTensor.Of(t);
        foreach (var n in Graph.Node)
            if (n.OpType == "Constant" && NodeAttributes.Find(n, "value") is { T: { } v } && n.Output.Count == 1)
                constants[n.Output[0]] = GraphTensor.Of(v);
        return constants;
    }

    /// <summary>The class scores before any final Softmax (the first output when there is none).</summary>
    public string LogitsTensor() => ModelGraph.LogitsTensorOf(Graph);

    /// <summary>Appends a node.</summary>
    public void AddNode(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params GraphAttribute[] attributes) =>
        Graph.Node.Add(Node(op, name, inputs, outputs, attributes).Proto);

    /// <summary>Replaces <paramref name="node"/> with <paramref name="replacement"/> (built by <see cref="Node"/>) at its position.</summary>
    public void Replace(GraphNode node, IReadOnlyList<NodeSpec> replacement)
    {
        var proto = ProtoOf(node);
        int position = Graph.Node.IndexOf(proto);
        Graph.Node.RemoveAt(position);
        for (int r = 0; r < replacement.Count; r++) Graph.Node.Insert(position + r, replacement[r].Proto);
    }

    /// <summary>Inserts nodes (built by <see cref="Node"/>) at <paramref name="position"/> in graph order, in their order.</summary>
    public void InsertNodes(int position, IReadOnlyList<NodeSpec> nodes)
    {
        for (int i = 0; i < nodes.Count; i++) Graph.Node.Insert(position + i, nodes[i].Proto);
    }

    /// <summary>A node to add with <see cref="Replace"/> or <see cref="InsertNodes"/>.</summary>
    public static NodeSpec Node(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params GraphAttribute[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.ToProto()));
        return new NodeSpec(node);
    }

    /// <summary>Gives a node (read through <see cref="Nodes"/>) one more output, such as MaxPool's indices.</summary>
    public void AddNodeOutput(GraphNode node, string output) => ProtoOf(node).Output.Add(output);

    /// <summary>Adds a constant tensor as an initializer.</summary>
    public void AddInitializer(GraphTensor tensor) => Graph.Initializer.Add(tensor.Proto);

    /// <summary>Replaces the initializer of the same name (the first, where a file repeats a name).</summary>
    public void ReplaceInitializer(GraphTensor tensor)
    {
        int index = Graph.Initializer.ToList().FindIndex(t => t.Name == tensor.Name);
        if (index < 0) throw new InvalidOperationException($"the graph has no initializer '{tensor.Name}'.");
        Graph.Initializer[index] = tensor.Proto;
    }

    /// <summary>Adds a float graph input; null dimensions are the symbolic batch "N".</summary>
    public void AddInput(string name, int?[] shape) => Graph.Input.Add(FloatValueInfo(name, shape));

    /// <summary>Keeps only the named graph input (the others, initializers listed as inputs included, are dropped).</summary>
    public void KeepOnlyInput(string name)
    {
        var kept = Graph.Input.First(i => i.Name == name);
        Graph.Input.Clear();
        Graph.Input.Add(kept);
    }

    /// <summary>Renames a tensor wherever nodes read it and, when it is one, the graph input.</summary>
    public void RenameInput(string oldName, string newName)
    {
        foreach (var n in Graph.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == oldName) n.Input[i] = newName;
        foreach (var i in Graph.Input.Where(i => i.Name == oldName)) i.Name = newName;
    }

    /// <summary>Adds a float graph output; null dimensions are the symbolic batch "N".</summary>
    public void AddOutput(string name, int?[] shape) => Graph.Output.Add(FloatValueInfo(name, shape));

    /// <summary>Adds a graph output as <see cref="ModelGraph"/> declares taps (-1 or a symbolic batch: a named dimension).</summary>
    public void AddOutput(string name, int elementType, int[]? shape, bool symbolicBatch) =>
        Graph.Output.Add(ValueInfo(name, elementType, shape, symbolicBatch));

    /// <summary>Adds a graph output without a declared type or shape (ONNX Runtime infers them).</summary>
    public void AddUntypedOutput(string name) => Graph.Output.Add(new ValueInfoProto { Name = name });

    /// <summary>Declares the shape of an inner float tensor (null dimensions are the symbolic batch "N").</summary>
    public void DeclareShape(string name, int?[] shape) => Graph.ValueInfo.Add(FloatValueInfo(name, shape));

    /// <summary>Declares the type and shape of an inner tensor as <see cref="AddOutput(string, int, int[], bool)"/> declares an output.</summary>
    public void DeclareShape(string name, int elementType, int[]? shape, bool symbolicBatch) =>
        Graph.ValueInfo.Add(ValueInfo(name, elementType, shape, symbolicBatch));

    /// <summary>
    /// Makes the nodes that read <paramref name="tensor"/> read <paramref name="replacement"/> instead, and renames a graph
    /// output of that name (a graph input of that name keeps it).
    /// </summary>
    public void RerouteReaders(string tensor, string replacement)
    {
        foreach (var node in Graph.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == tensor) node.Input[i] = replacement;
        foreach (var o in Graph.Output.Where(o => o.Name == tensor)) o.Name = replacement;
    }

    private HashSet<string>? _taken;

    /// <summary>
    /// <paramref name="hint"/>, or <paramref name="hint"/>_1, _2, … : a name no tensor of the graph had when this was first
    /// asked, and not given out by an earlier call.
    /// </summary>
    public string FreshName(string hint)
    {
        _taken ??= TensorNames();
        string candidate = hint;
        for (int k = 1; !_taken.Add(candidate); k++) candidate = $"{hint}_{k}";
        return candidate;
    }

    /// <summary>Removes every graph output.</summary>
    public void ClearOutputs() => Graph.Output.Clear();

    /// <summary>Forgets the shapes the file declares for inner tensors (they may not hold after edits).</summary>
    public void ClearValueInfo() => Graph.ValueInfo.Clear();

    /// <summary>True when a node has a subgraph attribute (If, Loop, Scan), which may read any tensor of the outer graph.</summary>
    public bool HasSubgraphs => Graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0));

    /// <summary>
    /// Keeps only the nodes, initializers and value infos the named tensors depend on; the graph inputs that initializers
    /// no longer kept were listed as (old models list their initializers as inputs too) go with them. True when a node
    /// was removed.
    /// </summary>
    public bool Prune(IEnumerable<string> keep)
    {
        var g = Graph;
        var needed = keep.ToHashSet();
        var kept = new List<NodeProto>();
        for (int i = g.Node.Count - 1; i >= 0; i--)
        {
            var node = g.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var x in node.Input)
                if (x.Length > 0) needed.Add(x);
        }
        bool removed = kept.Count < g.Node.Count;
        var dropped = g.Initializer.Select(t => t.Name).Where(n => !needed.Contains(n)).ToHashSet();
        kept.Reverse();
        Keep(g.Node, kept);
        Keep(g.Initializer, g.Initializer.Where(t => needed.Contains(t.Name)).ToList());
        Keep(g.Input, g.Input.Where(i => !dropped.Contains(i.Name)).ToList());
        Keep(g.ValueInfo, g.ValueInfo.Where(v => needed.Contains(v.Name)).ToList());
        return removed;
    }

    private static void Keep<T>(Google.Protobuf.Collections.RepeatedField<T> field, List<T> kept)
    {
        field.Clear();
        field.AddRange(kept);
    }

    /// <summary>Makes the first graph input's batch dimension symbolic ("N") and drops the outputs' declared types, which may fix the batch.</summary>
    public void MakeBatchSymbolic()
    {
        var input = Graph.Input[0];
        var dims = input.Type?.TensorType?.Shape?.Dim ?? throw new CnnDiagnosticsException($"input '{input.Name}' has no declared shape.");
        dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        foreach (var o in Graph.Output) o.Type = null;
    }

    /// <summary>Measures every tensor's shape with one run of the graph at <paramref name="batch"/> (<see cref="ShapeService.Probe"/>).</summary>
    public Dictionary<string, int[]> MeasureShapes(int batch) => ShapeService.Probe(_model, batch);

    /// <summary>Keeps exactly the named graph outputs, in this order (each must be an output already).</summary>
    public void KeepOutputs(IReadOnlyList<string> names)
    {
        var byName = Graph.Output.ToDictionary(o => o.Name);
        Graph.Output.Clear();
        foreach (var n in names) Graph.Output.Add(byName[n]);
    }

    /// <summary>
    /// Makes a channels-last image input planar: the input becomes <c>[N, C, H, W]</c> (same name) and a Transpose back to
    /// <c>[N, H, W, C]</c> (declared with the input's old type) feeds what read it.
    /// </summary>
    public void TransposeInputToPlanar(string imageInput)
    {
        var g = Graph;
        var input = g.Input.First(i => i.Name == imageInput);
        string inner = imageInput + "/channels_last";
        RerouteReaders(imageInput, inner);
        g.ValueInfo.Add(new ValueInfoProto { Name = inner, Type = input.Type.Clone() });
        var dims = input.Type.TensorType.Shape.Dim;
        var nhwc = dims.Select(d => d.Clone()).ToList();
        dims.Clear();
        dims.AddRange([nhwc[0], nhwc[3], nhwc[1], nhwc[2]]);
        g.Node.Insert(0, Node("Transpose", inner, [imageInput], [inner], GraphAttribute.IntList("perm", [0, 2, 3, 1])).Proto);
    }

    /// <summary>
    /// Names the first dimension of the data inputs, outputs and inner tensors <paramref name="dimName"/>, and rewrites Reshape
    /// targets computed from <paramref name="imageInput"/> that hard-code <paramref name="oldBatch"/> (see <see cref="ModelGraph.WithSymbolicBatch"/>).
    /// </summary>
    public void SymbolicBatch(string imageInput, int oldBatch, string dimName)
    {
        var g = Graph;
        var initNames = new HashSet<string>(g.Initializer.Select(i => i.Name));
        foreach (var vi in g.Input.Where(i => !initNames.Contains(i.Name)).Concat(g.Output).Concat(g.ValueInfo))
        {
            var shape = vi.Type?.TensorType?.Shape;
            if (shape is null || shape.Dim.Count == 0) continue;
            shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = dimName };
        }
        if (oldBatch <= 0) return;
        var fromImage = TensorsReachableFrom(g, imageInput);
        var uses = g.Node.SelectMany(n => n.Input).Concat(g.Output.Select(o => o.Name)).GroupBy(n => n).ToDictionary(u => u.Key, u => u.Count());
        var constants = g.Node.Where(n => n.OpType == "Constant" && n.Output.Count == 1).ToDictionary(n => n.Output[0]);
        foreach (var node in g.Node.Where(n => n.OpType == "Reshape" && n.Input.Count > 1 && fromImage.Contains(n.Input[0])))
        {
            if (node.Attribute.Any(a => a.Name == "allowzero" && a.I != 0) || uses[node.Input[1]] != 1) continue;
            var target = g.Initializer.FirstOrDefault(i => i.Name == node.Input[1])
                ?? (constants.TryGetValue(node.Input[1], out var c) ? c.Attribute.FirstOrDefault(a => a.Name == "value")?.T : null);
            if (target is not null) CopyFirstDimension(target, oldBatch);
            else if (constants.TryGetValue(node.Input[1], out c) && c.Attribute.FirstOrDefault(a => a.Name == "value_ints") is { Ints: [var first, _, ..] } ints && first == oldBatch)
                ints.Ints[0] = 0;
        }
    }

    /// <summary>Rewrites an int64 shape tensor whose first entry is <paramref name="oldBatch"/> to start with 0 (copy that dimension).</summary>
    private static void CopyFirstDimension(TensorProto target, int oldBatch)
    {
        if (target.DataType != (int)TensorProto.Types.DataType.Int64) return;
        long[] values = ConstantTensors.ReadInt64(target);
        if (values.Length < 2 || values[0] != oldBatch) return;
        values[0] = 0;
        target.ClearRawData();
        target.Int64Data.Clear();
        target.Int64Data.AddRange(values);
    }

    /// <summary>The tensors computed (directly or not) from <paramref name="source"/>, in a topologically sorted graph.</summary>
    private static HashSet<string> TensorsReachableFrom(GraphProto graph, string source)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { source };
        foreach (var node in graph.Node)
            if (node.Input.Any(reached.Contains))
                foreach (var output in node.Output)
                    if (output.Length > 0) reached.Add(output);
        return reached;
    }

    /// <summary>
    /// Hands the edited graph to a new <see cref="ModelGraph"/> named <paramref name="sourceName"/>; the rewriter cannot be
    /// used after. <paramref name="shapesFrom"/>: the graph the edits started from, when they changed no tensor's shape
    /// (see <see cref="ModelGraph.FromRewritten"/>).
    /// </summary>
    public ModelGraph Finish(string sourceName, ModelGraph? shapesFrom = null)
    {
        var model = _model;
        _finished = true;
        return ModelGraph.FromRewritten(model, sourceName, shapesFrom);
    }

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes() => _model.ToByteArray();

    /// <summary>The model as a new <see cref="ModelGraph"/> named <paramref name="sourceName"/>.</summary>
    public ModelGraph ToModelGraph(string sourceName) => ModelGraph.FromEdited(_model.Clone(), sourceName);

    private GraphNode Read(NodeProto node)
    {
        var read = GraphNode.Of(node);
        _read[read] = node;
        return read;
    }

    private NodeProto ProtoOf(GraphNode node) =>
        _read.TryGetValue(node, out var proto) ? proto : throw new InvalidOperationException($"{node.Describe()} was not read from this rewriter.");

    private static ValueInfoProto ValueInfo(string name, int elementType, int[]? shape, bool symbolicBatch)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = elementType };
        if (shape is not null)
        {
            var sp = new TensorShapeProto();
            for (int i = 0; i < shape.Length; i++)
                sp.Dim.Add(shape[i] >= 0 && !(i == 0 && symbolicBatch)
                    ? new TensorShapeProto.Types.Dimension { DimValue = shape[i] }
                    : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "N" : $"d{i}" });
            tensorType.Shape = sp;
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static ValueInfoProto FloatValueInfo(string name, int?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var d in shape)
            tensorShape.Dim.Add(d is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}

/// <summary>A node built by <see cref="GraphRewriter.Node"/>, not yet in a graph.</summary>
internal sealed class NodeSpec
{
    internal NodeSpec(NodeProto proto) => Proto = proto;

    internal NodeProto Proto { get; }
}
