using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

internal sealed partial class GraphRewriter
{
    /// <summary>
    /// Raises the default-domain opset to <paramref name="target"/> (default <see cref="OpsetUpgrade.TargetOpset"/>, the one
    /// the backward rules are written for), rewriting the nodes whose attributes or inputs changed between the old opset
    /// and the new one; <paramref name="shapes"/> gives each tensor's probed shape (for Softmax).
    /// </summary>
    public void UpgradeOpset(IReadOnlyDictionary<string, int[]> shapes, long target = OpsetUpgrade.TargetOpset)
    {
        var model = _model;
        long from = OpsetUpgrade.Opset(model);
        if (from >= target) return;
        bool Crosses(int version) => from < version && version <= target;
        var graph = Graph;
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet();
        var nodes = new List<NodeProto>();
        int counter = 0;
        string Fresh(string hint) => $"upgrade/{hint}/{counter++}";
        string Add(GraphTensor t) { AddInitializer(t); return t.Name; }
        string AddInt64(long[] values) => Add(GraphTensor.Int64(Fresh("const"), values));
        string AddScalar(float value) => Add(GraphTensor.Float(Fresh("scalar"), [value], []));
        string AddFloats(float[] values) => Add(GraphTensor.Float(Fresh("const"), values, [values.Length]));

        foreach (var node in graph.Node)
        {
            bool defaultDomain = !node.HasDomain || node.Domain is "" or "ai.onnx";
            if (!defaultDomain) { nodes.Add(node); continue; }
            switch (node.OpType)
            {
                case "Add" or "Sub" or "Mul" or "Div" when Crosses(7) && NodeAttributes.Find(node, "broadcast") is not null:
                    throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} uses the opset-{from} 'broadcast' attribute (legacy broadcasting); re-export the model with opset 7 or newer.");
                case "Gemm" when target >= 7:
                    RemoveAttribute(node, "broadcast");
                    break;
                case "BatchNormalization" when target >= 9:
                    if (NodeAttributes.GetInt(node, "spatial", 1) == 0)
                        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has spatial=0 (per-element statistics), which newer opsets cannot express.");
                    RemoveAttribute(node, "spatial");
                    RemoveAttribute(node, "is_test");
                    RemoveAttribute(node, "consumed_inputs");
                    while (node.Output.Count > 1) node.Output.RemoveAt(node.Output.Count - 1);
                    break;
                case "Dropout":
                    if (node.Output.Skip(1).Any(used.Contains))
                        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: its mask output is used; inference graphs with Dropout masks are not supported.");
                    node.OpType = "Identity";
                    node.Attribute.Clear();
                    while (node.Input.Count > 1) node.Input.RemoveAt(node.Input.Count - 1);
                    while (node.Output.Count > 1) node.Output.RemoveAt(node.Output.Count - 1);
                    break;
                case "Clip" when Crosses(11):
                {
                    var min = NodeAttributes.Find(node, "min");
                    var max = NodeAttributes.Find(node, "max");
                    node.Input.Add(min is null ? "" : AddScalar(min.F));
                    node.Input.Add(max is null ? "" : AddScalar(max.F));
                    node.Attribute.Clear();
                    break;
                }
                case "Pad" when Crosses(11):
                {
                    var pads = NodeAttributes.GetInts(node, "pads") ?? NodeAttributes.GetInts(node, "paddings") ?? [];
                    float value = NodeAttributes.GetFloat(node, "value", 0f);
                    string mode = NodeAttributes.GetString(node, "mode", "constant");
                    node.Attribute.Clear();
                    node.Attribute.Add(NodeAttributes.String("mode", mode));
                    node.Input.Add(AddInt64(pads));
                    node.Input.Add(AddScalar(value));
                    break;
                }
                case "Reshape" when target >= 5 && NodeAttributes.GetInts(node, "shape") is { } shape:
                    RemoveAttribute(node, "shape");
                    node.Input.Add(AddInt64(shape));
                    break;
                case "ReduceSum" or "Squeeze" or "Unsqueeze" or "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1"
                    or "ReduceL2" or "ReduceLogSum" or "ReduceLogSumExp" or "ReduceSumSquare"
                    when Crosses(OpsetUpgrade.RewrittenChanges[node.OpType][0]) && NodeAttributes.GetInts(node, "axes") is { } axes:
                    RemoveAttribute(node, "axes");
                    node.Input.Add(AddInt64(axes));
                    break;
                case "Split" when Crosses(13) || Crosses(18):
                    if (Crosses(13) && NodeAttributes.GetInts(node, "split") is { } split)
                    {
                        RemoveAttribute(node, "split");
                        node.Input.Add(AddInt64(split));
                    }
                    // from 18 an equal split must say into how many parts
                    if (Crosses(18) && node.Input.Count < 2) node.Attribute.Add(NodeAttributes.Int("num_outputs", node.Output.Count));
                    break;
                case "Slice" when Crosses(10):
                {
                    // opset 1–9: starts, ends and optional axes as attributes; from 10: inputs (and steps)
                    var starts = NodeAttributes.GetInts(node, "starts") ?? [];
                    var ends = NodeAttributes.GetInts(node, "ends") ?? [];
                    var sliceAxes = NodeAttributes.GetInts(node, "axes");
                    node.Attribute.Clear();
                    node.Input.Add(AddInt64(starts));
                    node.Input.Add(AddInt64(ends));
                    if (sliceAxes is not null) node.Input.Add(AddInt64(sliceAxes));
                    break;
                }
                case "Upsample" when Crosses(10):
                {
                    // Upsample (7: scales attribute; 9: scales input) became Resize in opset 10, with the same sampling:
                    // asymmetric coordinates and, for nearest, the pixel below
                    if (from < 7)
                        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: Upsample of opset {from} (experimental) is not supported; re-export the model with opset 7 or newer.");
                    string mode = NodeAttributes.GetString(node, "mode", "nearest");
                    string scales = node.Input.Count > 1 ? node.Input[1] : AddFloats(NodeAttributes.Find(node, "scales")?.Floats.ToArray()
                        ?? throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has no scales."));
                    node.OpType = "Resize";
                    node.Attribute.Clear();
                    while (node.Input.Count > 1) node.Input.RemoveAt(node.Input.Count - 1);
                    node.Attribute.Add(NodeAttributes.String("mode", mode == "bilinear" ? "linear" : mode));
                    if (target >= 11)
                    {
                        node.Input.Add("");
                        node.Attribute.Add(NodeAttributes.String("coordinate_transformation_mode", "asymmetric"));
                        if (mode == "nearest") node.Attribute.Add(NodeAttributes.String("nearest_mode", "floor"));
                    }
                    node.Input.Add(scales);
                    break;
                }
                case "Upsample" when Crosses(9) && NodeAttributes.Find(node, "scales") is { } upsampleScales:
                    RemoveAttribute(node, "scales");
                    node.Input.Add(AddFloats(upsampleScales.Floats.ToArray()));
                    break;
                case "Resize" when Crosses(11) && node.Input.Count == 2:
                {
                    // opset 10: Resize(X, scales) sampled like Upsample; from 11 the inputs are X, roi, scales[, sizes]
                    string scales = node.Input[1];
                    node.Input[1] = "";
                    node.Input.Add(scales);
                    node.Attribute.Add(NodeAttributes.String("coordinate_transformation_mode", "asymmetric"));
                    if (NodeAttributes.GetString(node, "mode", "nearest") == "nearest") node.Attribute.Add(NodeAttributes.String("nearest_mode", "floor"));
                    break;
                }
                case "Softmax" or "LogSoftmax" or "Hardmax" when Crosses(13):
                {
                    // before opset 13 these flattened the input to 2-D at 'axis' (default 1); from 13 they work along one axis
                    int rank = shapes.TryGetValue(node.Input[0], out var s) ? s.Length
                        : throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: the rank of its input is unknown.");
                    long axis = NodeAttributes.GetInt(node, "axis", 1);
                    if (axis < 0) axis += rank;
                    RemoveAttribute(node, "axis");
                    if (axis == rank - 1)
                    {
                        node.Attribute.Add(NodeAttributes.Int("axis", axis));
                        break;
                    }
                    string x = node.Input[0], y = node.Output[0];
                    var flatten = new NodeProto { OpType = "Flatten", Name = Fresh("flatten"), Input = { x }, Output = { Fresh("flat") }, Attribute = { NodeAttributes.Int("axis", axis) } };
                    var shapeOf = new NodeProto { OpType = "Shape", Name = Fresh("shape"), Input = { x }, Output = { Fresh("shape") } };
                    node.Input[0] = flatten.Output[0];
                    node.Output[0] = Fresh("soft");
                    node.Attribute.Add(NodeAttributes.Int("axis", 1));
                    var reshape = new NodeProto { OpType = "Reshape", Name = Fresh("reshape"), Input = { node.Output[0], shapeOf.Output[0] }, Output = { y } };
                    nodes.Add(flatten);
                    nodes.Add(shapeOf);
                    nodes.Add(node);
                    nodes.Add(reshape);
                    continue;
                }
            }
            nodes.Add(node);
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        foreach (var o in model.OpsetImport.Where(o => !o.HasDomain || o.Domain is "" or "ai.onnx")) o.Version = target;
        if (model.IrVersion < 8) model.IrVersion = 8;
    }

    private static void RemoveAttribute(NodeProto node, string name)
    {
        for (int i = node.Attribute.Count - 1; i >= 0; i--)
            if (node.Attribute[i].Name == name) node.Attribute.RemoveAt(i);
    }
}
