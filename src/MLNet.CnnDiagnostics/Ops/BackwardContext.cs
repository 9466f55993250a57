using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// What a backward rule sees: the graph being extended, the forward tensors' shapes (probed at a batch of
/// <see cref="ProbeBatch"/>), and small emitters for ONNX nodes and constants.
/// </summary>
internal sealed class BackwardContext
{
    private readonly GraphRewriter _graph;
    private readonly IReadOnlyDictionary<string, int[]> _shapes;
    private readonly Dictionary<string, string> _shapeOf = new();
    private readonly Dictionary<string, GraphTensor> _constants;
    private int _counter;

    public BackwardContext(GraphRewriter graph, IReadOnlyDictionary<string, int[]> shapes, int probeBatch, bool guidedRelu)
    {
        _graph = graph;
        _shapes = shapes;
        ProbeBatch = probeBatch;
        GuidedRelu = guidedRelu;
        _constants = graph.Constants();
    }

    /// <summary>Gives a forward node (read from the graph being extended) one more output, such as MaxPool's indices; returns its name.</summary>
    public string AddOutput(GraphNode node, string name)
    {
        _graph.AddNodeOutput(node, name);
        return name;
    }

    /// <summary>Batch size the shapes were probed at (dimension 0 of batch-dependent tensors).</summary>
    public int ProbeBatch { get; }

    /// <summary>Guided backprop: ReLU's backward also zeroes negative incoming gradients.</summary>
    public bool GuidedRelu { get; }

    /// <summary>The probed shape of a forward tensor.</summary>
    public int[] Shape(string tensor) =>
        _shapes.TryGetValue(tensor, out var s) ? s : throw new CnnDiagnosticsException($"the shape of tensor '{tensor}' is unknown (it is not produced by the probed forward graph).");

    /// <summary>The probed shape of a tensor, or null for tensors the probe did not see (constants).</summary>
    public int[]? TryShape(string tensor) => _shapes.GetValueOrDefault(tensor);

    public int Rank(string tensor) => Shape(tensor).Length;

    /// <summary>The value of a constant input (initializer or Constant node), or null when it is computed.</summary>
    public GraphTensor? Constant(string tensor) => _constants.GetValueOrDefault(tensor);

    public string Fresh(string hint) => $"grad/{hint}/{_counter++}";

    /// <summary>Appends a node with one output and returns the output's name.</summary>
    public string Emit(string op, IEnumerable<string> inputs, params GraphAttribute[] attributes) => EmitMulti(op, inputs, 1, attributes)[0];

    /// <summary>Appends a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] EmitMulti(string op, IEnumerable<string> inputs, int outputs, params GraphAttribute[] attributes)
    {
        string name = Fresh(op);
        var names = Enumerable.Range(0, outputs).Select(i => name + (outputs == 1 ? "" : ":" + i)).ToArray();
        _graph.AddNode(op, name, inputs, names, attributes);
        return names;
    }

    public string Int64s(params long[] values)
    {
        var t = GraphTensor.Int64(Fresh("const"), values);
        _graph.AddInitializer(t);
        return t.Name;
    }

    public string Scalar(float value)
    {
        var t = GraphTensor.Float(Fresh("scalar"), [value], []);
        _graph.AddInitializer(t);
        return t.Name;
    }

    public string Floats(float[] values, long[] dims)
    {
        var t = GraphTensor.Float(Fresh("const"), values, dims);
        _graph.AddInitializer(t);
        return t.Name;
    }

    /// <summary>The runtime shape of a tensor (one Shape node per tensor), so reshapes follow any batch size.</summary>
    public string ShapeOf(string tensor)
    {
        if (!_shapeOf.TryGetValue(tensor, out var s))
            _shapeOf[tensor] = s = Emit("Shape", [tensor]);
        return s;
    }

    /// <summary>Reshapes a gradient to the runtime shape of <paramref name="like"/>.</summary>
    public string ReshapeLike(string grad, string like) => Emit("Reshape", [grad, ShapeOf(like)]);

    /// <summary>
    /// Sums a gradient of a broadcast result (shape of <paramref name="result"/>) back to the shape of the
    /// broadcast operand <paramref name="operand"/>: over the leading axes it lacks and the axes where it has size 1.
    /// </summary>
    public string ReduceToOperand(string grad, string result, string operand)
    {
        var ys = Shape(result);
        var xs = Shape(operand);
        int lead = ys.Length - xs.Length;
        var axes = new List<long>();
        for (int i = 0; i < ys.Length; i++)
            if (i < lead || (xs[i - lead] == 1 && ys[i] != 1)) axes.Add(i);
        if (axes.Count == 0) return lead == 0 ? grad : ReshapeLike(grad, operand);
        var summed = Emit("ReduceSum", [grad, Int64s(axes.ToArray())], GraphAttribute.Int("keepdims", 1));
        return ReshapeLike(summed, operand);
    }

    /// <summary>A float scalar: the element count of <paramref name="a"/> divided by that of <paramref name="b"/>, at run time.</summary>
    public string SizeRatio(string a, string b)
    {
        var fa = Emit("Cast", [Emit("Size", [a])], GraphAttribute.Int("to", (long)TensorDataType.Float));
        var fb = Emit("Cast", [Emit("Size", [b])], GraphAttribute.Int("to", (long)TensorDataType.Float));
        return Emit("Div", [fa, fb]);
    }
}
