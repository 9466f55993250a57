using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// The library's one way to measure tensor shapes a file does not declare: one ONNX Runtime run of a copy of the graph
/// with the wanted tensors as outputs. <see cref="ModelGraph"/>'s layer table and the backward-graph builder's probe both
/// go through <see cref="Run"/>.
/// </summary>
internal static class ShapeService
{
    /// <summary>
    /// Runs a copy of <paramref name="model"/> whose outputs are <paramref name="outputs"/>, with <paramref name="feed"/>
    /// giving a value for each session input, and returns each tensor output's shape and element type.
    /// </summary>
    public static List<TensorInfo> Run(ModelProto model, IReadOnlyList<string> outputs, Func<string, NodeMetadata, OrtValue> feed, Func<OnnxRuntimeException, Exception> failure)
    {
        var copy = model.Clone();
        copy.Graph.Output.Clear();
        foreach (var name in outputs) copy.Graph.Output.Add(new ValueInfoProto { Name = name });
        var results = new List<TensorInfo>();
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new InferenceSession(copy.ToByteArray(), options);
            var inputs = new Dictionary<string, OrtValue>();
            try
            {
                foreach (var (name, meta) in session.InputMetadata) inputs[name] = feed(name, meta);
                var names = session.OutputNames.ToList();
                // The run options must stay referenced until Run returns: an unreferenced RunOptions can be finalized
                // (its native handle freed) while ONNX Runtime still uses it, a crash seen under GC pressure.
                using var runOptions = new RunOptions();
                using var values = session.Run(runOptions, inputs.Keys.ToList(), inputs.Values.ToList(), names);
                for (int i = 0; i < names.Count; i++)
                {
                    if (!values[i].IsTensor) continue;
                    var ts = values[i].GetTensorTypeAndShape();
                    results.Add(new TensorInfo(names[i], ts.Shape.Select(d => (int)d).ToArray(), (int)ts.ElementDataType));
                }
            }
            finally
            {
                foreach (var v in inputs.Values) v.Dispose();
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw failure(e);
        }
        return results;
    }

    /// <summary>
    /// The shape of every tensor of a one-input forward graph at a chosen batch size, measured on random data; initializers
    /// and the input included. (Backward rules need shapes at a batch other than 1 to tell batch broadcasts apart.)
    /// </summary>
    public static Dictionary<string, int[]> Probe(ModelProto forward, int batch)
    {
        var graph = forward.Graph;
        var input = graph.Input[0];
        var shape = input.Type.TensorType.Shape.Dim.Select((d, i) => i == 0 ? batch : d.HasDimValue ? (int)d.DimValue
            : throw new CnnDiagnosticsException($"input '{input.Name}' has a symbolic dimension {i} ('{d.DimParam}'); only the batch dimension may be symbolic.")).ToArray();
        var random = new Random(12345);
        var data = new float[FloatTensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        var names = graph.Node.SelectMany(n => n.Output).Where(n => n != "").Distinct().ToList();
        var measured = Run(forward, names,
            (_, _) => OrtValue.CreateTensorValueFromMemory(data, shape.Select(d => (long)d).ToArray()),
            e => new CnnDiagnosticsException($"ONNX Runtime cannot run the forward model at batch {batch} to measure its tensor shapes: {e.Message}", e));
        var shapes = measured.ToDictionary(m => m.Name, m => m.Shape!);
        shapes[input.Name] = shape;
        foreach (var t in graph.Initializer) shapes[t.Name] = t.Dims.Select(d => (int)d).ToArray();
        return shapes;
    }
}
