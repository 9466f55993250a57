using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// Measures the shape of every tensor of a forward graph with one run on random data at a chosen batch size.
/// (Backward rules need shapes at a batch other than 1 to tell batch broadcasts apart; tensors of any element type are measured.)
/// </summary>
internal static class ShapeProbe
{
    public static Dictionary<string, int[]> Measure(ModelProto forward, int batch)
    {
        var probe = forward.Clone();
        var graph = probe.Graph;
        graph.Output.Clear();
        var names = graph.Node.SelectMany(n => n.Output).Where(n => n != "").Distinct().ToList();
        foreach (var n in names) graph.Output.Add(new ValueInfoProto { Name = n });
        var input = graph.Input[0];
        var shape = input.Type.TensorType.Shape.Dim.Select((d, i) => i == 0 ? batch : d.HasDimValue ? (int)d.DimValue
            : throw new CnnDiagnosticsException($"input '{input.Name}' has a symbolic dimension {i} ('{d.DimParam}'); only the batch dimension may be symbolic.")).ToArray();
        var random = new Random(12345);
        var data = new float[FloatTensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(probe.ToByteArray(), options);
            using var value = OrtValue.CreateTensorValueFromMemory(data, shape.Select(d => (long)d).ToArray());
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [input.Name], [value], names);
            var shapes = new Dictionary<string, int[]>();
            for (int i = 0; i < names.Count; i++)
                shapes[names[i]] = results[i].GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
            shapes[input.Name] = shape;
            foreach (var t in graph.Initializer) shapes[t.Name] = t.Dims.Select(d => (int)d).ToArray();
            return shapes;
        }
        catch (OnnxRuntimeException e)
        {
            throw new CnnDiagnosticsException($"ONNX Runtime cannot run the forward model at batch {batch} to measure its tensor shapes: {e.Message}", e);
        }
    }
}
