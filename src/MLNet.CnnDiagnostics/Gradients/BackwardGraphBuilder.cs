using Google.Protobuf;
using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// Writes the backward pass of an ONNX CNN as ordinary ONNX ops, one backward rule per op type from the <see cref="OpTable"/>, so
/// ONNX Runtime computes gradients of a target with respect to the input or any inner tensor, for a whole batch.
/// The forward model is prepared once: initializers leave the graph inputs, the batch dimension becomes symbolic,
/// an optional linear head is appended, tensor shapes are probed with one run, and the opset is raised to 17.
/// </summary>
public sealed class BackwardGraphBuilder
{
    private readonly ModelProto _forward;
    private readonly Dictionary<string, int[]> _shapes;
    private readonly int _probeBatch;

    /// <summary>Prepares the ONNX model in <paramref name="onnxModel"/>, optionally with a linear head on a featurizer tensor.</summary>
    public BackwardGraphBuilder(byte[] onnxModel, LinearHead? head = null) : this(Parse(onnxModel), head) { }

    /// <summary>Prepares a loaded model, optionally with a linear head on a featurizer tensor.</summary>
    public BackwardGraphBuilder(ModelGraph model, LinearHead? head = null) : this((model ?? throw new ArgumentNullException(nameof(model))).Proto, head) { }

    internal BackwardGraphBuilder(ModelProto model, LinearHead? head)
    {
        var forward = model.Clone();
        var graph = forward.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new CnnDiagnosticsException($"the model has {inputs.Count} data inputs ({string.Join(", ", inputs.Select(i => i.Name))}); gradients need exactly one image input.");
        graph.Input.Clear();
        graph.Input.Add(inputs[0]);
        graph.ValueInfo.Clear();
        InputName = inputs[0].Name;
        ModelOutput = graph.Output.Count > 0 ? graph.Output[0].Name : throw new CnnDiagnosticsException("the model has no outputs.");
        Logits = ModelGraph.LogitsTensorOf(graph);
        if (head is not null) AppendHead(forward, head);

        var inputDims = inputs[0].Type?.TensorType?.Shape?.Dim;
        int? fixedBatch = inputDims is { Count: > 0 } && inputDims[0].HasDimValue ? (int)inputDims[0].DimValue : null;
        (_shapes, _probeBatch, FixedBatch) = Probe(forward, fixedBatch);
        OpsetUpgrade.Apply(forward, _shapes);
        _forward = forward;
    }

    /// <summary>The model's image input.</summary>
    public string InputName { get; }

    /// <summary>The model's first output (before any head).</summary>
    public string ModelOutput { get; }

    /// <summary>The model's class scores before any final Softmax (the model's first output when it has none).</summary>
    public string Logits { get; }

    /// <summary>The tensor a target with no tensor reads: the head's logits, or the model's logits (pre-softmax).</summary>
    public string DefaultTarget => _shapes.ContainsKey(LinearHead.LogitsTensor) ? LinearHead.LogitsTensor : Logits;

    /// <summary>The batch size the model is fixed at when its batch dimension could not be made symbolic; else null.</summary>
    public int? FixedBatch { get; }

    /// <summary>The names of all tensors computed by the forward graph (candidates for targets and gradients).</summary>
    public IEnumerable<string> TensorNames => _shapes.Keys;

    /// <summary>Shape of a forward tensor without its batch dimension.</summary>
    public int[] ItemShape(string tensor) => ShapeOrThrow(tensor)[1..];

    /// <summary>
    /// Builds forward + backward for a target on <paramref name="targetTensor"/> (null: <see cref="DefaultTarget"/>),
    /// with gradients with respect to <paramref name="withRespectTo"/> (the input name and/or inner tensors) and
    /// <paramref name="extraOutputs"/> returned as well. No tensors to differentiate gives a forward-only graph.
    /// </summary>
    public BackwardGraph Build(string? targetTensor, IReadOnlyList<string> withRespectTo, IReadOnlyList<string>? extraOutputs = null, bool guidedRelu = false)
    {
        ArgumentNullException.ThrowIfNull(withRespectTo);
        string target = targetTensor ?? DefaultTarget;
        var targetShape = ShapeOrThrow(target);
        var extras = extraOutputs ?? [];
        foreach (var name in withRespectTo.Concat(extras)) ShapeOrThrow(name);

        var model = _forward.Clone();
        var graph = model.Graph;
        Prune(graph, [target, .. extras]);
        graph.Output.Clear();
        var seedShape = targetShape.Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray();
        graph.Input.Add(ValueInfo(BackwardGraph.SeedName, seedShape));

        var ctx = new BackwardContext(graph, _shapes, _probeBatch, guidedRelu);
        var weighted = ctx.Emit("Mul", [target, BackwardGraph.SeedName]);
        var axes = Enumerable.Range(1, targetShape.Length - 1).Select(i => (long)i).ToArray();
        var value = axes.Length == 0 ? weighted : ctx.Emit("ReduceSum", [weighted, ctx.Int64s(axes)], NodeAttributes.Int("keepdims", 0));
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "target/value", Input = { value }, Output = { BackwardGraph.TargetValueName } });
        graph.Output.Add(ValueInfo(BackwardGraph.TargetValueName, [FixedBatch]));

        var gradientOutputs = new Dictionary<string, string>();
        if (withRespectTo.Count > 0)
        {
            var gradients = Backpropagate(ctx, graph, target, withRespectTo);
            foreach (var wrt in withRespectTo.Distinct())
            {
                if (!gradients.TryGetValue(wrt, out var g))
                    throw new CnnDiagnosticsException($"tensor '{wrt}' does not influence the target '{target}'; its gradient would be zero everywhere.");
                string output = "grad/" + wrt;
                graph.Node.Add(new NodeProto { OpType = "Identity", Name = output, Input = { g }, Output = { output } });
                graph.Output.Add(ValueInfo(output, ShapeOrThrow(wrt).Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray()));
                gradientOutputs[wrt] = output;
            }
        }
        foreach (var extra in extras.Distinct())
            graph.Output.Add(ValueInfo(extra, ShapeOrThrow(extra).Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray()));
        return new BackwardGraph(model, InputName, target, targetShape[1..], gradientOutputs, extras.Distinct().ToList(), FixedBatch);
    }

    /// <summary>Reverse-mode accumulation over the forward nodes; returns the summed gradient of each tensor reached.</summary>
    private static Dictionary<string, string> Backpropagate(BackwardContext ctx, GraphProto graph, string target, IReadOnlyList<string> withRespectTo)
    {
        var forwardNodes = graph.Node.Where(n => !n.Name.StartsWith("grad/", StringComparison.Ordinal) && n.Name != "target/value").ToList();
        // tensors that depend on a differentiated tensor: only their producers need backward rules
        var requiresGrad = withRespectTo.ToHashSet();
        foreach (var node in forwardNodes)
            if (OpTable.Find(node.OpType) is not { Differentiable: false } && node.Input.Any(requiresGrad.Contains))
                foreach (var o in node.Output) requiresGrad.Add(o);

        var contributions = new Dictionary<string, List<string>> { [target] = [BackwardGraph.SeedName] };
        var summed = new Dictionary<string, string>();
        string Total(string tensor)
        {
            if (summed.TryGetValue(tensor, out var s)) return s;
            var parts = contributions[tensor];
            return summed[tensor] = parts.Count == 1 ? parts[0] : ctx.Emit("Sum", parts);
        }

        for (int i = forwardNodes.Count - 1; i >= 0; i--)
        {
            var node = forwardNodes[i];
            if (!node.Output.Any(contributions.ContainsKey)) continue;
            var need = node.Input.Select(x => x != "" && requiresGrad.Contains(x)).ToArray();
            if (!need.Any(b => b)) continue;
            if (OpTable.Find(node.OpType) is not { Differentiable: true } rule || (node.HasDomain && node.Domain is not ("" or "ai.onnx")))
                throw new CnnDiagnosticsException(
                    $"{NodeAttributes.Describe(node)} has no backward rule; ops with rules: {string.Join(", ", OpTable.DifferentiableOpTypes)}.");
            var grads = rule.Backward(ctx, node, node.Output.Select(o => contributions.ContainsKey(o) ? Total(o) : null).ToList(), need);
            for (int k = 0; k < grads.Length && k < node.Input.Count; k++)
            {
                if (!need[k] || grads[k] is not { } g) continue;
                if (!contributions.TryGetValue(node.Input[k], out var list)) contributions[node.Input[k]] = list = [];
                list.Add(g);
            }
        }
        return withRespectTo.Where(contributions.ContainsKey).Distinct().ToDictionary(t => t, Total);
    }

    /// <summary>Keeps only the nodes the named tensors depend on.</summary>
    private static void Prune(GraphProto graph, IEnumerable<string> keep)
    {
        var needed = keep.ToHashSet();
        var kept = new List<NodeProto>();
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var x in node.Input) needed.Add(x);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var usedInitializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(usedInitializers);
    }

    private static void AppendHead(ModelProto model, LinearHead head)
    {
        var graph = model.Graph;
        graph.Node.Add(new NodeProto { OpType = "Flatten", Name = "head/flatten", Input = { head.FeatureTensor }, Output = { "head/features" }, Attribute = { NodeAttributes.Int("axis", 1) } });
        string features = "head/features";
        if (head.NormalizeFeatures)
        {
            // features / sqrt(Σ features² + ε), with the sum as a MatMul by ones (an op whose form no opset changed).
            graph.Initializer.Add(ConstantTensors.Float("head/ones", Enumerable.Repeat(1f, head.Features).ToArray(), [head.Features, 1]));
            graph.Initializer.Add(ConstantTensors.Float("head/eps", [1e-24f], [1]));
            graph.Node.Add(new NodeProto { OpType = "Mul", Name = "head/square", Input = { features, features }, Output = { "head/squares" } });
            graph.Node.Add(new NodeProto { OpType = "MatMul", Name = "head/sum", Input = { "head/squares", "head/ones" }, Output = { "head/sum_squares" } });
            graph.Node.Add(new NodeProto { OpType = "Add", Name = "head/add_eps", Input = { "head/sum_squares", "head/eps" }, Output = { "head/sum_squares_eps" } });
            graph.Node.Add(new NodeProto { OpType = "Sqrt", Name = "head/norm", Input = { "head/sum_squares_eps" }, Output = { "head/norm" } });
            graph.Node.Add(new NodeProto { OpType = "Div", Name = "head/normalize", Input = { features, "head/norm" }, Output = { "head/unit_features" } });
            features = "head/unit_features";
        }
        graph.Initializer.Add(ConstantTensors.Float("head/weights", head.Weights.Data, [head.Classes, head.Features]));
        graph.Initializer.Add(ConstantTensors.Float("head/bias", head.Bias, [head.Classes]));
        graph.Node.Add(new NodeProto
        {
            OpType = "Gemm", Name = "head/gemm", Input = { features, "head/weights", "head/bias" }, Output = { LinearHead.LogitsTensor },
            Attribute = { NodeAttributes.Int("transB", 1) },
        });
    }

    /// <summary>
    /// Runs the forward graph once with every tensor as an output to learn all shapes. The batch dimension is made
    /// symbolic and probed at 2 (so broadcasts over the batch are visible); a model that cannot batch keeps its fixed batch.
    /// </summary>
    private (Dictionary<string, int[]>, int, int?) Probe(ModelProto forward, int? fixedBatch)
    {
        var input = forward.Graph.Input[0];
        var dims = input.Type?.TensorType?.Shape?.Dim ?? throw new CnnDiagnosticsException($"input '{input.Name}' has no declared shape.");
        var original = dims.Select(d => d.Clone()).ToList();
        try
        {
            dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
            foreach (var o in forward.Graph.Output) o.Type = null;
            return (ShapeProbe.Measure(forward, 2), 2, null);
        }
        catch (CnnDiagnosticsException) when (fixedBatch is not null)
        {
            dims.Clear();
            dims.AddRange(original);
            return (ShapeProbe.Measure(forward, fixedBatch.Value), fixedBatch.Value, fixedBatch);
        }
    }

    /// <summary>
    /// An estimate of the bytes one item needs in a run of <paramref name="graph"/>, for sizing batches: the forward
    /// activations alive at once in node order (the backward pass keeps each until the rules that read it have run),
    /// plus, with gradients, twice the largest activation (the gradient flowing back and one temporary of its size).
    /// Shapes are the probed ones, float32 assumed; tensors the backward rules add are covered by that margin only.
    /// </summary>
    internal long BytesPerItem(BackwardGraph graph)
    {
        var weights = graph.Proto.Graph.Initializer.Select(t => t.Name).ToHashSet();
        long largest = 0;
        long Bytes(string tensor)
        {
            if (weights.Contains(tensor) || !_shapes.TryGetValue(tensor, out var shape) || shape.Length == 0 || shape[0] != _probeBatch) return 0;
            long bytes = 4L * shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            largest = Math.Max(largest, bytes);
            return bytes;
        }
        long live = ModelGraph.PeakLiveBytes(graph.Proto.Graph, InputName, Bytes);
        return live + (graph.GradientOutputs.Count > 0 ? 2 * largest : 0);
    }

    private int[] ShapeOrThrow(string tensor) =>
        _shapes.TryGetValue(tensor, out var s) ? s
        : throw new CnnDiagnosticsException($"tensor '{tensor}' is not in the model; {ClosestNames.Suggest(tensor, _shapes.Keys)}.");

    private static ValueInfoProto ValueInfo(string name, int?[] shape)
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

    private static ModelProto Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            if (model.Graph is null) throw new CnnDiagnosticsException("the ONNX model has no graph.");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CnnDiagnosticsException($"the bytes are not an ONNX model: {e.Message}", e);
        }
    }
}
