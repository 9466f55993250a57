using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNet.CnnDiagnostics.Onnx.Proto;

namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>
/// The library's one way to measure tensor shapes a file does not declare: one ONNX Runtime run of a copy of the graph
/// with the wanted tensors as outputs (<see cref="Run"/>, the only place a model runs to learn shapes). Two callers:
/// <see cref="ModelGraph"/>'s layer table (<see cref="DryRun"/>, at batch 1, or the batch the file fixes) and the
/// backward-graph builder (<see cref="Probe"/>, at batch 2, where a tensor that carries the batch and one broadcast over
/// it differ in their first dimension, which backward rules must tell apart).
/// </summary>
internal static class ShapeService
{
    private static int _runs;

    /// <summary>How many times this process has run a model to measure shapes (tests check that rewrites do not add runs).</summary>
    internal static int RunCount => Volatile.Read(ref _runs);

    /// <summary>
    /// Runs a copy of <paramref name="model"/> whose outputs are <paramref name="outputs"/>, with <paramref name="feed"/>
    /// giving a value for each session input, and returns each tensor output's shape and element type.
    /// </summary>
    private static List<TensorInfo> Run(ModelProto model, IReadOnlyList<string> outputs, Func<string, NodeMetadata, OrtValue> feed, Func<OnnxRuntimeException, Exception> failure)
    {
        Interlocked.Increment(ref _runs);
        var copy = new GraphRewriter(model);
        copy.ClearOutputs();
        foreach (var name in outputs) copy.AddUntypedOutput(name);
        var results = new List<TensorInfo>();
        try
        {
            using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new InferenceSession(copy.ToBytes(), options);
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
    /// The shapes of <paramref name="tensors"/> (and of the graph's outputs) measured by one run of
    /// <paramref name="model"/> on zeros at batch <see cref="ModelGraph.DryRunBatch"/> (224 for any other dimension the
    /// file leaves open); with a symbolic batch their first dimension is reported as -1.
    /// </summary>
    public static IEnumerable<TensorInfo> DryRun(ModelGraph model, IReadOnlyList<string> tensors)
    {
        var outputs = model.Outputs.Select(o => o.Name).ToList();
        var declared = new HashSet<string>(outputs);
        outputs.AddRange(tensors.Where(declared.Add));
        var image = model.ImageInput;
        var inputShape = image.Shape!.Select((d, i) => (long)(i == 0 ? model.DryRunBatch : d > 0 ? d : 224)).ToArray();
        CheckDryRunSize(model.SourceName, image.Name, inputShape);
        var measured = Run(model.Proto, outputs, (name, meta) =>
        {
            long[] shape = name == image.Name ? inputShape : meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
            if (name != image.Name) CheckDryRunSize(model.SourceName, name, shape);
            return meta.ElementDataType == TensorElementType.Float
                ? OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape)
                : throw new CnnDiagnosticsException($"model '{model.SourceName}' has a second input '{name}' of type {meta.ElementDataType}; only models whose extra inputs are float can be measured.");
        }, e => new CnnDiagnosticsException($"ONNX Runtime cannot run model '{model.SourceName}' to measure its layer shapes: {e.Message}", e));
        if (model.HasSymbolicBatch)
            foreach (var m in measured.Where(m => m.Shape is { Length: > 0 })) m.Shape![0] = -1;
        return measured;
    }

    // measured in double: a declared [N,3,100000,100000] overflows int arithmetic long before it would fit in memory
    private static void CheckDryRunSize(string sourceName, string input, long[] shape)
    {
        double values = shape.Aggregate(1.0, (a, d) => a * d);
        if (values > ModelGraph.MaxImageInputValues)
            throw new CnnDiagnosticsException(
                $"model '{sourceName}' declares input '{input}' [{string.Join(",", shape)}] ({values:N0} values, {values * 4 / (1 << 20):N0} MB); " +
                $"measuring its layer shapes runs the model once, which this library limits to inputs of {ModelGraph.MaxImageInputValues:N0} values (64 MB). " +
                "Declare the real input size in the model, or give the model's layers their shapes (value_info) so no run is needed.");
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
