using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Ops;

/// <summary>
/// Composes receptive fields along a graph, asking the <see cref="OpTable"/> how each op carries them: sliding windows
/// (Conv, MaxPool, AveragePool, LpPool) grow the field by (k−1)·dilation·jump, multiply the jump by the stride and move
/// the start by −padBegin·jump; global mixing sees the whole input; position-wise ops leave it unchanged; joins take the
/// union of their branches (a per-channel gate broadcast over a map keeps the map's field); layout ops follow the
/// image's rows and columns through transposes and reshapes. Shape computations (Shape → Gather → Concat) are metadata,
/// not activations. An op outside the table stops the fields downstream of it, with a reason naming the op.
/// </summary>
internal static class ReceptiveFieldCalculator
{
    /// <summary>The fields of every tensor reachable from the image input of <paramref name="graph"/>, for its declared input size.</summary>
    public static ReceptiveFields Compute(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (axisH, axisW) = ImageAxes(graph);
        var shape = graph.ImageInput.Shape!;
        if (shape[axisH] <= 0 || shape[axisW] <= 0)
            throw new CnnDiagnosticsException($"model '{graph.SourceName}' declares no fixed image size ({graph.ImageInput.ShapeText}); give the size: Compute(graph, height, width).");
        return Compute(graph, shape[axisH], shape[axisW]);
    }

    /// <summary>The fields of every tensor reachable from the image input of <paramref name="graph"/> for an image of the given size.</summary>
    public static ReceptiveFields Compute(ModelGraph graph, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (axisH, axisW) = ImageAxes(graph);
        var declared = graph.ImageInput.Shape!;
        bool declaredSize = declared[axisH] == height && declared[axisW] == width;
        var nodes = graph.Layers.Select(l => Describe(graph, l, declaredSize));
        return Compute(graph.ImageInput.Name, height, width, nodes, axisH, axisW);
    }

    /// <summary>
    /// The fields of every tensor reachable from <paramref name="input"/> (an NCHW image of <paramref name="height"/> ×
    /// <paramref name="width"/> pixels) through <paramref name="nodes"/> in topological order.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The image is too small for some window, or branches with different jumps meet.</exception>
    public static ReceptiveFields Compute(string input, int height, int width, IEnumerable<ReceptiveFieldNode> nodes) =>
        Compute(input, height, width, nodes, 2, 3);

    internal static ReceptiveFields Compute(string input, int height, int width, IEnumerable<ReceptiveFieldNode> nodes, int axisH, int axisW)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(nodes);
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(height <= 0 ? nameof(height) : nameof(width), $"image size {height}×{width} must be positive.");
        var nodeList = nodes.ToList();
        var produced = new HashSet<string>(nodeList.SelectMany(n => n.Outputs), StringComparer.Ordinal);
        var values = new Dictionary<string, SpatialValue>(StringComparer.Ordinal) { [input] = new SpatialValue(ReceptiveField.Pixel, height, width, axisH, axisW, 4) };
        var metadata = new HashSet<string>(StringComparer.Ordinal);
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        var layerOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodeList)
        {
            if (node.Outputs.Count == 0) continue;
            layerOutputs.TryAdd(node.Name, node.Outputs[0]);
            // Inputs that come from the image (or from something that lost its field); weights, constants and shape arithmetic are ignored.
            var derived = node.Inputs.Where(i => i.Length > 0 && (i == input || produced.Contains(i))).ToList();
            if (node.OpType == "Constant" || derived.Count == 0) continue;
            var spatialInputs = derived.Where(i => !metadata.Contains(i)).ToList();
            if (spatialInputs.Count == 0)
            {
                foreach (var o in node.Outputs) metadata.Add(o);
                continue;
            }
            var op = OpTable.Find(node.OpType);
            string? lost = spatialInputs.FirstOrDefault(missing.ContainsKey);
            FieldStep step;
            if (lost is not null) step = FieldStep.Fail(missing[lost]);
            else if (!spatialInputs.Any(values.ContainsKey)) step = FieldStep.Fail($"node '{node.Name}' ({node.OpType}) reads no tensor derived from the image");
            else if (op is null) step = FieldStep.Fail($"it comes from {node.OpType} node '{node.Name}', an op the library's op table does not know");
            else step = op.CarryField(node, node.Inputs.Select(i => !metadata.Contains(i) && values.TryGetValue(i, out var v) ? v : null).ToList());

            if (step.IsMetadata)
            {
                foreach (var o in node.Outputs) metadata.Add(o);
                continue;
            }
            int carried = op?.ActivationOutputs ?? node.Outputs.Count;
            for (int k = 0; k < node.Outputs.Count && k < carried; k++)
            {
                if (node.Outputs[k].Length == 0) continue;
                if (step.Output(k) is { } r) values[node.Outputs[k]] = r;
                else missing[node.Outputs[k]] = step.Reason ?? $"{node.OpType} node '{node.Name}' gives output {k} no field";
            }
        }
        var fields = values.ToDictionary(p => p.Key, p => (p.Value.Field, p.Value.Height, p.Value.Width), StringComparer.Ordinal);
        return new ReceptiveFields(fields, missing, layerOutputs);
    }

    /// <summary>The axes of the image input that hold rows and columns: (2, 3) for NCHW, (1, 2) for channels-last models.</summary>
    internal static (int AxisH, int AxisW) ImageAxes(ModelGraph graph) =>
        graph.ImageLayout == ImageLayout.ChannelsLast ? (1, 2) : (2, 3);

    private static ReceptiveFieldNode Describe(ModelGraph graph, LayerInfo layer, bool declaredSize)
    {
        var node = graph.NodeAt(layer.Index);
        int axis = (int)node.Int("axis", 1);
        // Measured shapes hold for the declared input size only.
        int[]? spatial = declaredSize && layer.OutputShape is { Length: 4 } s && s[2] > 0 && s[3] > 0 ? [s[2], s[3]] : null;
        var integers = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var a in node.Attributes)
        {
            if (a.Kind == GraphAttributeKind.Int) integers[a.Name] = [a.I];
            else if (a.Kind == GraphAttributeKind.Ints) integers[a.Name] = a.Ints.ToArray();
        }
        for (int i = 1; i < node.Input.Count; i++)
            if (node.Input[i].Length > 0 && graph.FindConstant(node.Input[i]) is { } c
                && c.DataType is (int)TensorDataType.Int64 or (int)TensorDataType.Int32)
                integers["input" + i] = ConstantTensors.ReadInt64(c);
        return new ReceptiveFieldNode(layer.Name, layer.OpType, layer.Inputs, layer.Outputs, layer.Convolution, spatial, axis)
        {
            OutputShapes = declaredSize ? layer.Outputs.Select(o => o.Length > 0 ? graph.GetTensorInfo(o).Shape : null).ToList() : null,
            InputShape = declaredSize && layer.Inputs.Count > 0 && layer.Inputs[0].Length > 0 ? graph.GetTensorInfo(layer.Inputs[0]).Shape : null,
            Integers = integers,
        };
    }
}
