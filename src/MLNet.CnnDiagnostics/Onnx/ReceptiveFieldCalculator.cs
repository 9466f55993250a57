namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// Composes receptive fields along a graph: sliding windows (Conv, MaxPool, AveragePool, LpPool) grow the field by
/// (k−1)·dilation·jump, multiply the jump by the stride and move the start by −padBegin·jump; global pooling sees the
/// whole input; element-wise ops leave it unchanged; Add/Sum/Mul/... and channel Concat take the union of their branches.
/// </summary>
public static class ReceptiveFieldCalculator
{
    private static readonly HashSet<string> WindowOps = ["Conv", "MaxPool", "AveragePool", "LpPool"];
    private static readonly HashSet<string> GlobalPoolOps = ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"];
    private static readonly HashSet<string> PositionwiseOps =
    [
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Sigmoid", "HardSigmoid", "HardSwish", "Swish", "Mish",
        "Tanh", "Softplus", "Softsign", "Clip", "Dropout", "Identity", "BatchNormalization", "LRN", "Neg", "Abs", "Exp",
        "Log", "Sqrt", "Reciprocal", "Pow", "Cast", "Erf",
    ];
    private static readonly HashSet<string> JoiningOps = ["Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean", "Concat"];

    /// <summary>The fields of every tensor reachable from the image input of <paramref name="graph"/>, for its declared input size.</summary>
    public static ReceptiveFields Compute(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var shape = graph.ImageInput.Shape!;
        if (shape[2] <= 0 || shape[3] <= 0)
            throw new CnnDiagnosticsException($"model '{graph.SourceName}' declares no fixed image size ({graph.ImageInput.ShapeText}); give the size: Compute(graph, height, width).");
        return Compute(graph, shape[2], shape[3]);
    }

    /// <summary>The fields of every tensor reachable from the image input of <paramref name="graph"/> for an image of the given size.</summary>
    public static ReceptiveFields Compute(ModelGraph graph, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var declared = graph.ImageInput.Shape!;
        bool declaredSize = declared[2] == height && declared[3] == width;
        var nodes = graph.Layers.Select(l =>
        {
            var node = graph.Proto.Graph.Node[l.Index];
            int axis = (int)(node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1);
            // Measured shapes hold for the declared input size only.
            int[]? spatial = declaredSize && l.OutputShape is { Length: 4 } s && s[2] > 0 && s[3] > 0 ? [s[2], s[3]] : null;
            return new ReceptiveFieldNode(l.Name, l.OpType, l.Inputs, l.Outputs, l.Convolution, spatial, axis);
        });
        return Compute(graph.ImageInput.Name, height, width, nodes);
    }

    /// <summary>
    /// The fields of every tensor reachable from <paramref name="input"/> (an image of <paramref name="height"/> ×
    /// <paramref name="width"/> pixels) through <paramref name="nodes"/> in topological order.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The image is too small for some window, or branches with different jumps meet.</exception>
    public static ReceptiveFields Compute(string input, int height, int width, IEnumerable<ReceptiveFieldNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(nodes);
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(height <= 0 ? nameof(height) : nameof(width), $"image size {height}×{width} must be positive.");
        var nodeList = nodes.ToList();
        var produced = new HashSet<string>(nodeList.SelectMany(n => n.Outputs), StringComparer.Ordinal);
        var fields = new Dictionary<string, (ReceptiveField, int, int)>(StringComparer.Ordinal) { [input] = (ReceptiveField.Pixel, height, width) };
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        var layerOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodeList)
        {
            if (node.Outputs.Count == 0) continue;
            layerOutputs.TryAdd(node.Name, node.Outputs[0]);
            // Inputs that come from the image (or from something that lost its field); weights and constants are ignored.
            var spatialInputs = node.Inputs.Where(i => i.Length > 0 && (i == input || produced.Contains(i))).ToList();
            string? lost = spatialInputs.FirstOrDefault(missing.ContainsKey);
            var known = spatialInputs.Where(fields.ContainsKey).Select(i => fields[i]).ToList();
            string? why = null;
            (ReceptiveField, int, int)? result = null;
            if (node.OpType == "Constant" || spatialInputs.Count == 0) continue;
            else if (lost is not null) why = missing[lost];
            else if (known.Count == 0) why = $"node '{node.Name}' ({node.OpType}) reads no tensor derived from the image";
            else if (WindowOps.Contains(node.OpType) && node.Window is not null) result = ThroughWindow(node, known[0]);
            else if (GlobalPoolOps.Contains(node.OpType)) result = ThroughGlobalPool(known[0]);
            else if (PositionwiseOps.Contains(node.OpType)) result = known[0];
            else if (node.OpType == "Split" && node.Axis is 1 or -3) result = known[0]; // a channel split keeps every position's field
            else if (JoiningOps.Contains(node.OpType)) result = Join(node, known, out why);
            else why = $"it comes from {node.OpType} node '{node.Name}', which the receptive-field calculator does not follow (it mixes positions or drops the spatial layout)";
            foreach (var output in node.OpType is "Dropout" or "BatchNormalization" or "MaxPool" ? node.Outputs.Take(1) : node.Outputs)
            {
                if (result is { } r) fields[output] = r;
                else missing[output] = why!;
            }
        }
        return new ReceptiveFields(fields, missing, layerOutputs);
    }

    private static (ReceptiveField, int, int) ThroughWindow(ReceptiveFieldNode node, (ReceptiveField Field, int Height, int Width) input)
    {
        var window = node.Window!;
        if (window.SpatialRank != 2)
            throw new CnnDiagnosticsException($"node '{node.Name}' ({node.OpType}) has a {window.SpatialRank}-D window; receptive fields are computed for 2-D images.");
        int[] inSize = [input.Height, input.Width];
        var pads = window.ResolvePads(inSize);
        var outSize = new int[2];
        for (int a = 0; a < 2; a++)
        {
            int computed = window.OutputSize(a, inSize[a], pads);
            if (computed < 1)
                throw new CnnDiagnosticsException(
                    $"the image is smaller than the receptive field of node '{node.Name}' ({node.OpType}): its input has {inSize[a]} {(a == 0 ? "rows" : "columns")} " +
                    $"but the window spans {window.DilatedKernel(a)} with pads {pads[a]}+{pads[a + 2]}, so it has no output position; use a larger image.");
            outSize[a] = node.OutputSpatialShape?[a] ?? computed;
        }
        return (input.Field.Through(window, pads), outSize[0], outSize[1]);
    }

    // A global pool is a window as large as its input, moving nowhere.
    private static (ReceptiveField, int, int) ThroughGlobalPool((ReceptiveField Field, int Height, int Width) input) =>
        (new ReceptiveField(input.Field.Y.Through(input.Height, 1, 1, 0), input.Field.X.Through(input.Width, 1, 1, 0)), 1, 1);

    private static (ReceptiveField, int, int)? Join(ReceptiveFieldNode node, List<(ReceptiveField Field, int Height, int Width)> inputs, out string? why)
    {
        why = null;
        if (node.OpType == "Concat" && node.Axis is not (1 or -3))
        {
            why = $"Concat node '{node.Name}' joins along axis {node.Axis}, not along channels, which moves positions";
            return null;
        }
        var first = inputs[0];
        if (inputs.Any(i => i.Height != first.Height || i.Width != first.Width))
        {
            why = $"{node.OpType} node '{node.Name}' broadcasts between spatial sizes {string.Join(", ", inputs.Select(i => $"{i.Height}×{i.Width}"))}";
            return null;
        }
        var field = first.Field;
        foreach (var other in inputs.Skip(1))
        {
            try { field = ReceptiveField.Union(field, other.Field); }
            catch (CnnDiagnosticsException e) { throw new CnnDiagnosticsException($"{node.OpType} node '{node.Name}' joins branches whose receptive fields cannot be joined: {e.Message}", e); }
        }
        return (field, first.Height, first.Width);
    }
}
