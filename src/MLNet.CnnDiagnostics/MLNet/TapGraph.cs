using MLNet.CnnDiagnostics.Onnx;

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
        var g = new GraphRewriter(batched);
        string oldInput = model.ImageInput.Name;
        var existing = g.TensorNames();
        if (inputColumn != oldInput && existing.Contains(inputColumn))
            throw new CnnDiagnosticsException($"input column name '{inputColumn}' is also a tensor name inside model '{model.SourceName}'; choose another column name.");
        g.RenameInput(oldInput, inputColumn);

        g.ClearOutputs();
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
                    if (column != tensor) g.AddNode("Identity", $"{column}_tap", [tensor], [column]);
                    break;
                case TapTransform.Flatten:
                    g.AddNode("Flatten", $"{column}_tap", [tensor], [column], GraphAttribute.Int("axis", 1));
                    shape = shape is null ? null : [-1, shape.Skip(1).Aggregate(1, (a, b) => a * b)];
                    break;
                case TapTransform.FlattenL2Normalize:
                    string flat = $"{column}_flat", norm = $"{column}_norm", safe = $"{column}_safe_norm", eps = $"{column}_eps";
                    g.AddNode("Flatten", flat, [tensor], [flat], GraphAttribute.Int("axis", 1));
                    var keepDims = GraphAttribute.Int("keepdims", 1);
                    if (model.OpsetVersion >= 18)
                    {
                        // From opset 18 the reduction axes are an input, no longer an attribute.
                        g.AddInitializer(GraphTensor.Int64($"{column}_axes", [1]));
                        g.AddNode("ReduceL2", norm, [flat, $"{column}_axes"], [norm], keepDims);
                    }
                    else g.AddNode("ReduceL2", norm, [flat], [norm], GraphAttribute.IntList("axes", [1]), keepDims);
                    g.AddInitializer(GraphTensor.Float(eps, [1e-12f], [1]));
                    g.AddNode("Max", safe, [norm, eps], [safe]);
                    g.AddNode("Div", $"{column}_tap", [flat, safe], [column]);
                    shape = shape is null ? null : [-1, shape.Skip(1).Aggregate(1, (a, b) => a * b)];
                    break;
            }
            g.AddOutput(column, 1, shape, symbolicBatch: true);
        }
        return g.ToModelGraph(model.SourceName);
    }
}
