using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// Writes the backward pass of an ONNX CNN as ordinary ONNX ops, one backward rule per op type from the <see cref="OpTable"/>, so
/// ONNX Runtime computes gradients of a target with respect to the input or any inner tensor, for a whole batch.
/// The forward model is prepared once: initializers leave the graph inputs, the batch dimension becomes symbolic,
/// an optional linear head is appended, tensor shapes are probed with one run, and the opset is raised to 17.
/// </summary>
internal sealed class BackwardGraphBuilder
{
    private readonly GraphRewriter _forward;
    private readonly Dictionary<string, int[]> _shapes;
    private readonly int _probeBatch;

    /// <summary>Prepares the ONNX model in <paramref name="onnxModel"/>, optionally with a linear head on a featurizer tensor.</summary>
    public BackwardGraphBuilder(byte[] onnxModel, LinearHead? head = null) : this(GraphRewriter.Parse(onnxModel), head) { }

    /// <summary>Prepares a loaded model, optionally with a linear head on a featurizer tensor.</summary>
    public BackwardGraphBuilder(ModelGraph model, LinearHead? head = null) : this(new GraphRewriter(model), head) { }

    private BackwardGraphBuilder(GraphRewriter forward, LinearHead? head)
    {
        var inputs = forward.DataInputNames;
        if (inputs.Count != 1)
            throw new CnnDiagnosticsException($"the model has {inputs.Count} data inputs ({string.Join(", ", inputs)}); gradients need exactly one image input.");
        forward.KeepOnlyInput(inputs[0]);
        forward.ClearValueInfo();
        InputName = inputs[0];
        ModelOutput = forward.OutputNames.Count > 0 ? forward.OutputNames[0] : throw new CnnDiagnosticsException("the model has no outputs.");
        Logits = forward.LogitsTensor();
        head?.FoldInto(forward);

        int? fixedBatch = forward.FixedInputDimension(InputName, 0);
        (_shapes, _probeBatch, FixedBatch) = Probe(ref forward, fixedBatch);
        forward.UpgradeOpset(_shapes);
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

        var graph = _forward.Clone();
        graph.Prune([target, .. extras]);
        graph.ClearOutputs();
        var seedShape = targetShape.Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray();
        graph.AddInput(BackwardGraph.SeedName, seedShape);

        var ctx = new BackwardContext(graph, _shapes, _probeBatch, guidedRelu);
        var weighted = ctx.Emit("Mul", [target, BackwardGraph.SeedName]);
        var axes = Enumerable.Range(1, targetShape.Length - 1).Select(i => (long)i).ToArray();
        var value = axes.Length == 0 ? weighted : ctx.Emit("ReduceSum", [weighted, ctx.Int64s(axes)], GraphAttribute.Int("keepdims", 0));
        graph.AddNode("Identity", "target/value", [value], [BackwardGraph.TargetValueName]);
        graph.AddOutput(BackwardGraph.TargetValueName, [FixedBatch]);

        var gradientOutputs = new Dictionary<string, string>();
        if (withRespectTo.Count > 0)
        {
            var gradientOf = new Dictionary<string, string>();
            var gradients = Backpropagate(ctx, graph, target, withRespectTo, gradientOf);
            DeclareGradientShapes(graph, gradientOf);
            foreach (var wrt in withRespectTo.Distinct())
            {
                if (!gradients.TryGetValue(wrt, out var g))
                    throw new CnnDiagnosticsException($"tensor '{wrt}' does not influence the target '{target}'; its gradient would be zero everywhere.");
                string output = "grad/" + wrt;
                graph.AddNode("Identity", output, [g], [output]);
                graph.AddOutput(output, ShapeOrThrow(wrt).Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray());
                gradientOutputs[wrt] = output;
            }
        }
        foreach (var extra in extras.Distinct())
            graph.AddOutput(extra, ShapeOrThrow(extra).Select((d, i) => i == 0 ? (int?)FixedBatch : d).ToArray());
        graph.FoldChannelScales("grad/");
        return new BackwardGraph(graph.ToModelGraph(FixedBatch is null ? "backward graph" : $"backward graph (batch {FixedBatch})"), InputName, target, targetShape[1..], gradientOutputs, extras.Distinct().ToList(), FixedBatch);
    }

    /// <summary>Reverse-mode accumulation over the forward nodes; returns the summed gradient of each tensor reached.</summary>
    private static Dictionary<string, string> Backpropagate(BackwardContext ctx, GraphRewriter graph, string target, IReadOnlyList<string> withRespectTo,
        Dictionary<string, string> gradientOf)
    {
        var forwardNodes = graph.Nodes.Where(n => !n.Name.StartsWith("grad/", StringComparison.Ordinal) && n.Name != "target/value").ToList();
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
            if (parts.Count > 2)
            {
                // the Conv gradients first, in a Sum of their own: ORT keeps a Sum in its blocked layout only when every
                // input is blocked, so one unblocked part (GoogLeNet's pool branch) made it reorder each Conv gradient to NCHW
                var produced = graph.Nodes.Where(n => n.OpType == "Conv").SelectMany(n => n.Output).ToHashSet();
                var blocked = parts.Where(produced.Contains).ToList();
                if (blocked.Count >= 2 && blocked.Count < parts.Count)
                {
                    var inner = ctx.Emit("Sum", blocked);
                    gradientOf[inner] = tensor;
                    parts = [inner, .. parts.Where(p => !produced.Contains(p))];
                }
            }
            var total = summed[tensor] = parts.Count == 1 ? parts[0] : ctx.Emit("Sum", parts);
            gradientOf[total] = tensor;
            return total;
        }

        for (int i = forwardNodes.Count - 1; i >= 0; i--)
        {
            var node = forwardNodes[i];
            if (!node.Output.Any(contributions.ContainsKey)) continue;
            var need = node.Input.Select(x => x != "" && requiresGrad.Contains(x)).ToArray();
            if (!need.Any(b => b)) continue;
            if (OpTable.Find(node.OpType) is not { Differentiable: true } rule || !node.IsDefaultDomain)
                throw new CnnDiagnosticsException(
                    $"{node.Describe()} has no backward rule; ops with rules: {string.Join(", ", OpTable.DifferentiableOpTypes)}.");
            var grads = rule.Backward(ctx, node, node.Output.Select(o => contributions.ContainsKey(o) ? Total(o) : null).ToList(), need);
            for (int k = 0; k < grads.Length && k < node.Input.Count; k++)
            {
                if (!need[k] || grads[k] is not { } g) continue;
                if (!contributions.TryGetValue(node.Input[k], out var list)) contributions[node.Input[k]] = list = [];
                list.Add(g);
                gradientOf[g] = node.Input[k];
            }
        }
        return withRespectTo.Where(contributions.ContainsKey).Distinct().ToDictionary(t => t, Total);
    }

    /// <summary>
    /// Declares each 4-D gradient's shape (its forward tensor's, with the symbolic batch): ONNX Runtime's shape inference loses
    /// the batch symbol at the runtime-shaped Reshapes and Expands of the backward rules, and without equal symbols it cannot
    /// prove two gradients the same shape, so it kept their Mul and Sum out of its blocked NCHWc layout (a reorder to NCHW and
    /// back around each).
    /// </summary>
    private void DeclareGradientShapes(GraphRewriter graph, Dictionary<string, string> gradientOf)
    {
        var declared = graph.InputNames.ToHashSet();
        foreach (var (gradient, tensor) in gradientOf)
            if (_shapes.TryGetValue(tensor, out var shape) && shape.Length == 4 && shape[0] == _probeBatch)
            {
                var symbolic = shape.Select((d, i) => i == 0 ? FixedBatch : (int?)d).ToArray();
                if (declared.Add(gradient)) graph.DeclareShape(gradient, symbolic);
                // the forward tensor too (a float: it has a gradient): past a runtime-shaped Reshape (ShuffleNet's channel
                // shuffle) ORT's inference gives the forward maps a fresh batch symbol, and the masks computed from them
                // could not join the gradients' blocked layout
                if (declared.Add(tensor)) graph.DeclareShape(tensor, symbolic);
            }
    }

    /// <summary>
    /// Runs the forward graph once with every tensor as an output to learn all shapes. The batch dimension is made
    /// symbolic and probed at 2 (so broadcasts over the batch are visible); a model that cannot batch keeps its fixed batch.
    /// </summary>
    private static (Dictionary<string, int[]>, int, int?) Probe(ref GraphRewriter forward, int? fixedBatch)
    {
        var batched = forward.Clone();
        try
        {
            batched.MakeBatchSymbolic();
            var shapes = batched.MeasureShapes(2);
            forward = batched;
            return (shapes, 2, null);
        }
        catch (CnnDiagnosticsException) when (fixedBatch is not null)
        {
            return (forward.MeasureShapes(fixedBatch.Value), fixedBatch.Value, fixedBatch);
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
        var model = graph.ToModelGraph();
        var weights = model.InitializerNames.ToHashSet();
        long largest = 0;
        long Bytes(string tensor)
        {
            if (weights.Contains(tensor) || !_shapes.TryGetValue(tensor, out var shape) || shape.Length == 0 || shape[0] != _probeBatch) return 0;
            long bytes = 4L * shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            largest = Math.Max(largest, bytes);
            return bytes;
        }
        long live = model.PeakLiveBytesInOrder(InputName, Bytes);
        return live + (graph.GradientOutputs.Count > 0 ? 2 * largest : 0);
    }

    private int[] ShapeOrThrow(string tensor) =>
        _shapes.TryGetValue(tensor, out var s) ? s
        : throw new CnnDiagnosticsException($"tensor '{tensor}' is not in the model; {ClosestNames.Suggest(tensor, _shapes.Keys)}.");
}
