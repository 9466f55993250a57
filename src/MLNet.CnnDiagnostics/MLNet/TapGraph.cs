using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>How a tapped tensor becomes a column.</summary>
internal enum TapTransform
{
    /// <summary>The tensor as it is ([C,H,W] per row).</summary>
    AsIs,
    /// <summary>Flattened to one vector per row.</summary>
    Flatten,
    /// <summary>Flattened and divided by its L2 norm.</summary>
    FlattenL2Normalize,
}

/// <summary>
/// Builds the one ONNX graph a tap runs and saves: symbolic batch, the image input renamed to the input column,
/// and exactly one output per tap column, named after it. Batched runs and ML.NET's own OnnxTransformer (used to
/// save the tap) therefore execute the same graph.
/// </summary>
internal static class TapGraph
{
    public static ModelGraph Build(ModelGraph model, string inputColumn, IReadOnlyList<(string Column, string Tensor, TapTransform Transform)> taps)
    {
        var batched = model.HasSymbolicBatch ? model : model.WithSymbolicBatch();
        var proto = batched.Proto.Clone();
        var g = proto.Graph;
        string oldInput = model.ImageInput.Name;
        var existing = new HashSet<string>(g.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(g.Initializer.Select(i => i.Name)).Concat(g.Input.Select(i => i.Name)));
        if (inputColumn != oldInput && existing.Contains(inputColumn))
            throw new CnnDiagnosticsException($"input column name '{inputColumn}' is also a tensor name inside model '{model.SourceName}'; choose another column name.");
        foreach (var n in g.Node)
            for (int i = 0; i < n.Input.Count; i++)
                if (n.Input[i] == oldInput) n.Input[i] = inputColumn;
        foreach (var i in g.Input.Where(i => i.Name == oldInput)) i.Name = inputColumn;

        g.Output.Clear();
        foreach (var (column, tensor0, transform) in taps)
        {
            string tensor = tensor0 == oldInput ? inputColumn : tensor0;
            if (column != tensor && column != oldInput && existing.Contains(column))
                throw new CnnDiagnosticsException($"output column name '{column}' is also a tensor name inside model '{model.SourceName}'; choose another column name.");
            var info = model.GetTensorInfo(tensor0);
            int[]? shape = info.Shape;
            switch (transform)
            {
                case TapTransform.AsIs:
                    if (column != tensor) g.Node.Add(Node("Identity", $"{column}_tap", [tensor], [column]));
                    break;
                case TapTransform.Flatten:
                    g.Node.Add(Node("Flatten", $"{column}_tap", [tensor], [column], new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
                    shape = shape is null ? null : [-1, shape.Skip(1).Aggregate(1, (a, b) => a * b)];
                    break;
                case TapTransform.FlattenL2Normalize:
                    string flat = $"{column}_flat", norm = $"{column}_norm", safe = $"{column}_safe_norm", eps = $"{column}_eps";
                    g.Node.Add(Node("Flatten", flat, [tensor], [flat], new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
                    var keepDims = new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 1 };
                    if (model.OpsetVersion >= 18)
                    {
                        // From opset 18 the reduction axes are an input, no longer an attribute.
                        var axesTensor = new TensorProto { Name = $"{column}_axes", DataType = (int)TensorProto.Types.DataType.Int64 };
                        axesTensor.Dims.Add(1);
                        axesTensor.Int64Data.Add(1);
                        g.Initializer.Add(axesTensor);
                        g.Node.Add(Node("ReduceL2", norm, [flat, axesTensor.Name], [norm], keepDims));
                    }
                    else
                    {
                        var axes = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
                        axes.Ints.Add(1);
                        g.Node.Add(Node("ReduceL2", norm, [flat], [norm], axes, keepDims));
                    }
                    g.Initializer.Add(TensorProtoReader.FromFloatTensor(eps, new FloatTensor([1], [1e-12f])));
                    g.Node.Add(Node("Max", safe, [norm, eps], [safe]));
                    g.Node.Add(Node("Div", $"{column}_tap", [flat, safe], [column]));
                    shape = shape is null ? null : [-1, shape.Skip(1).Aggregate(1, (a, b) => a * b)];
                    break;
            }
            g.Output.Add(ModelGraph.MakeValueInfo(column, 1, shape, symbolicBatch: true));
        }
        return ModelGraph.FromEdited(proto, model.SourceName);
    }

    private static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }
}
