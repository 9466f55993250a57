using Microsoft.ML.OnnxRuntime;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Execution;

/// <summary>
/// Owns one ONNX Runtime session over a <see cref="ModelGraph"/> and runs batched forward passes
/// (plain, tapped, or forward+backward graphs: they are all ONNX graphs). Thread-safe for concurrent runs.
/// </summary>
public sealed class OnnxExecutor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly long _garbageBudget;

    /// <summary>Creates a session for the graph.</summary>
    public OnnxExecutor(ModelGraph graph, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        options ??= new ExecutionOptions();
        _garbageBudget = options.CollectAfterAllocatedBytes;
        // failures come back as exceptions whose message the library passes on; ORT's own (coloured) log line would repeat it on the host's stderr
        _options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        if (options.IntraOpThreads > 0) _options.IntraOpNumThreads = options.IntraOpThreads;
        if (!options.SpinWhileIdle) _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (options.CpuMemoryArena is bool arena) _options.EnableCpuMemArena = arena;
        if (options.MemoryPattern is bool pattern) _options.EnableMemoryPattern = pattern;
        try
        {
            if (options.UseCuda) _options.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            _session = options.FrugalLoading ? LoadFrugally(graph, _options) : new InferenceSession(graph.ToBytes(), _options);
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw new CnnDiagnosticsException($"ONNX Runtime cannot load model '{graph.SourceName}'{(options.UseCuda ? " with the CUDA execution provider" : "")}: {e.Message}", e);
        }
        OutputNames = _session.OutputNames.ToList();
        InputNames = _session.InputNames.ToList();
    }

    /// <summary>
    /// Makes the session with as little memory alive at once as the process can arrange: the garbage left by building the
    /// graph (the backward graph's rearranged kernels, shape probes) is collected and handed back first, and the model
    /// reaches ONNX Runtime through a temporary file written from the protobuf as a stream, so that no serialised copy of
    /// the weights sits in the managed heap while ONNX Runtime parses the model and makes its own tensors of them. Where
    /// no temporary file can be written it loads from the serialised bytes.
    /// </summary>
    private static InferenceSession LoadFrugally(ModelGraph graph, SessionOptions options)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        string path = Path.Combine(Path.GetTempPath(), $"cnndiag-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                graph.WriteTo(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new InferenceSession(graph.ToBytes(), options);
            }
            return new InferenceSession(path, options);
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a temporary file left behind costs disk space only; the session does not need it any more
            }
        }
    }

    /// <summary>The graph this session runs.</summary>
    public ModelGraph Graph { get; }

    /// <summary>The graph's output tensor names.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The graph's input tensor names.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Runs the graph on a batch of images [N, C, H, W] fed to the image input.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Run(FloatTensor images, IReadOnlyList<string>? outputNames = null) =>
        Run(new Dictionary<string, FloatTensor> { [Graph.ImageInput.Name] = images }, outputNames);

    /// <summary>Runs the graph on named inputs and returns the requested outputs (all outputs by default).</summary>
    public IReadOnlyDictionary<string, FloatTensor> Run(IReadOnlyDictionary<string, FloatTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        outputNames ??= OutputNames;
        foreach (var name in outputNames)
            if (!OutputNames.Contains(name))
                throw new CnnDiagnosticsException($"'{name}' is not an output of model '{Graph.SourceName}'; {ClosestNames.Suggest(name, OutputNames)} (add intermediate tensors with ModelGraph.WithOutputs).");
        GarbageBudget.Spend(_garbageBudget);
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var (name, tensor) in inputs)
            {
                CheckInput(name, tensor);
                values.Add(OrtValue.CreateTensorValueFromMemory(tensor.Data, tensor.Shape.Select(d => (long)d).ToArray()));
            }
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, inputs.Keys.ToList(), values, outputNames);
            var result = new Dictionary<string, FloatTensor>(outputNames.Count);
            for (int i = 0; i < outputNames.Count; i++)
            {
                var shape = outputs[i].GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
                result[outputNames[i]] = new FloatTensor(shape, outputs[i].GetTensorDataAsSpan<float>().ToArray());
            }
            GC.KeepAlive(this); // the session must not be finalized while a run on it is in native code
            return result;
        }
        catch (OnnxRuntimeException e)
        {
            throw new CnnDiagnosticsException($"ONNX Runtime failed to run model '{Graph.SourceName}': {e.Message}", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>
    /// Runs the graph on the image input given as the first elements of a reused buffer, and has ONNX Runtime write the
    /// named outputs straight into the callers' buffers (no copy out of its own memory, no new arrays): each output's
    /// buffer must hold at least its shape's elements, and its shape must be the one the graph computes.
    /// </summary>
    internal void RunInto(Memory<float> images, int[] shape, IReadOnlyList<string> outputNames, IReadOnlyList<(Memory<float> Buffer, int[] Shape)> outputs)
    {
        CheckInput(Graph.ImageInput.Name, shape, images.Length);
        GarbageBudget.Spend(_garbageBudget);
        var values = new List<OrtValue>(outputs.Count + 1);
        try
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, images, shape.Select(d => (long)d).ToArray()));
            foreach (var (buffer, outputShape) in outputs)
                values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer, outputShape.Select(d => (long)d).ToArray()));
            using var runOptions = new RunOptions();
            _session.Run(runOptions, [Graph.ImageInput.Name], [values[0]], outputNames.ToList(), values.Skip(1).ToList());
            GC.KeepAlive(this);
        }
        catch (OnnxRuntimeException e)
        {
            throw new CnnDiagnosticsException($"ONNX Runtime failed to run model '{Graph.SourceName}': {e.Message}", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private void CheckInput(string name, FloatTensor tensor) => CheckInput(name, tensor.Shape, tensor.Length);

    private void CheckInput(string name, int[] shape, int length)
    {
        if (!_session.InputMetadata.TryGetValue(name, out var meta))
            throw new CnnDiagnosticsException($"'{name}' is not an input of model '{Graph.SourceName}'; its inputs are: {string.Join(", ", InputNames)}.");
        var expected = meta.Dimensions;
        bool ok = expected.Length == shape.Length && FloatTensor.ElementCount(shape) <= length;
        for (int d = 0; ok && d < expected.Length; d++)
            ok = expected[d] <= 0 || expected[d] == shape[d];
        if (ok) return;
        string want = "[" + string.Join(",", expected.Select(d => d <= 0 ? "N" : d.ToString())) + "]";
        string hint = expected.Length == shape.Length && expected.Length > 0 && expected[0] == 1 && shape[0] != 1
            ? " The model is fixed at batch 1: use ModelGraph.WithSymbolicBatch() to run batches."
            : "";
        throw new CnnDiagnosticsException($"input '{name}' of model '{Graph.SourceName}' expects shape {want}, got [{string.Join(",", shape)}].{hint}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
