using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// Raises a forward graph to opset <see cref="TargetOpset"/> (ScatterElements with reduction=add needs 16), rewriting
/// the nodes whose attributes or inputs changed between the old opset and the new one.
/// </summary>
internal static class OpsetUpgrade
{
    /// <summary>The opset backward graphs are written in (unless the model's own is newer).</summary>
    public const long TargetOpset = 17;

    /// <summary>The model's default-domain opset.</summary>
    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => !o.HasDomain || o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    /// <summary>Upgrades <paramref name="model"/> in place; <paramref name="shapes"/> gives each tensor's probed shape (for Softmax).</summary>
    public static void Apply(ModelProto model, IReadOnlyDictionary<string, int[]> shapes)
    {
        long from = Opset(model);
        if (from >= TargetOpset) return;
        var graph = model.Graph;
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet();
        var nodes = new List<NodeProto>();
        int counter = 0;
        string Fresh(string hint) => $"upgrade/{hint}/{counter++}";
        string AddInt64(long[] values) { var t = ConstantTensors.Int64(Fresh("const"), values); graph.Initializer.Add(t); return t.Name; }
        string AddScalar(float value) { var t = ConstantTensors.Float(Fresh("scalar"), [value], []); graph.Initializer.Add(t); return t.Name; }

        foreach (var node in graph.Node)
        {
            bool defaultDomain = !node.HasDomain || node.Domain is "" or "ai.onnx";
            if (!defaultDomain) { nodes.Add(node); continue; }
            switch (node.OpType)
            {
                case "Add" or "Sub" or "Mul" or "Div" when from < 7 && NodeAttributes.Find(node, "broadcast") is not null:
                    throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} uses the opset-{from} 'broadcast' attribute (legacy broadcasting); re-export the model with opset 7 or newer.");
                case "Gemm":
                    NodeAttributes.Remove(node, "broadcast");
                    break;
                case "BatchNormalization":
                    if (NodeAttributes.GetInt(node, "spatial", 1) == 0)
                        throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)} has spatial=0 (per-element statistics), which newer opsets cannot express.");
                    NodeAttributes.Remove(node, "spatial");
                    NodeAttributes.Remove(node, "is_test");
                    NodeAttributes.Remove(node, "consumed_inputs");
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
                case "Clip" when from < 11:
                {
                    var min = NodeAttributes.Find(node, "min");
                    var max = NodeAttributes.Find(node, "max");
                    node.Input.Add(min is null ? "" : AddScalar(min.F));
                    node.Input.Add(max is null ? "" : AddScalar(max.F));
                    node.Attribute.Clear();
                    break;
                }
                case "Pad" when from < 11:
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
                case "Reshape" when NodeAttributes.GetInts(node, "shape") is { } shape:
                    NodeAttributes.Remove(node, "shape");
                    node.Input.Add(AddInt64(shape));
                    break;
                case "ReduceSum" or "Squeeze" or "Unsqueeze" when from < 13 && NodeAttributes.GetInts(node, "axes") is { } axes:
                    NodeAttributes.Remove(node, "axes");
                    node.Input.Add(AddInt64(axes));
                    break;
                case "Split" when from < 13 && NodeAttributes.GetInts(node, "split") is { } split:
                    NodeAttributes.Remove(node, "split");
                    node.Input.Add(AddInt64(split));
                    break;
                case "Softmax" or "LogSoftmax" or "Hardmax" when from < 13:
                {
                    // before opset 13 these flattened the input to 2-D at 'axis' (default 1); from 13 they work along one axis
                    int rank = shapes.TryGetValue(node.Input[0], out var s) ? s.Length
                        : throw new CnnDiagnosticsException($"{NodeAttributes.Describe(node)}: the rank of its input is unknown.");
                    long axis = NodeAttributes.GetInt(node, "axis", 1);
                    if (axis < 0) axis += rank;
                    NodeAttributes.Remove(node, "axis");
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
        foreach (var o in model.OpsetImport.Where(o => !o.HasDomain || o.Domain is "" or "ai.onnx")) o.Version = TargetOpset;
        if (model.IrVersion < 8) model.IrVersion = 8;
    }
}
