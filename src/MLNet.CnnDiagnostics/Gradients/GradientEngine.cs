using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>
/// Gradients of targets through an ONNX CNN, batched: builds (and caches) a forward + backward graph per target
/// tensor and set of differentiated tensors, and runs it with ONNX Runtime.
/// </summary>
public sealed class GradientEngine : IDisposable
{
    private readonly Dictionary<string, (BackwardGraph Graph, OnnxExecutor Session, long BytesPerItem)> _graphs = new();
    private readonly object _lock = new();
    private readonly ExecutionOptions? _execution;
    private readonly ExecutionOptions _budget;
    private bool _disposed;

    /// <summary>An engine over an ONNX model (bytes), optionally with a linear head on a featurizer tensor.</summary>
    public GradientEngine(byte[] onnxModel, LinearHead? head = null) : this(new BackwardGraphBuilder(onnxModel, head)) { }

    /// <summary>An engine over a loaded model, optionally with a linear head on a featurizer tensor.</summary>
    public GradientEngine(ModelGraph model, LinearHead? head = null, ExecutionOptions? execution = null) : this(new BackwardGraphBuilder(model, head), execution) { }

    /// <summary>An engine over a prepared builder.</summary>
    internal GradientEngine(BackwardGraphBuilder builder, ExecutionOptions? execution = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Builder = builder;
        _execution = execution;
        _budget = execution ?? new ExecutionOptions();
    }

    /// <summary>The builder that writes the backward graphs.</summary>
    internal BackwardGraphBuilder Builder { get; }

    /// <summary>The model's image input.</summary>
    public string InputName => Builder.InputName;

    /// <summary>How the engine's sessions run (null: ONNX Runtime's defaults); checks that make sessions of their own use it too.</summary>
    internal ExecutionOptions? Execution => _execution;

    /// <summary>
    /// Runs forward and backward for a batch: the target value per item and the gradients with respect to
    /// <paramref name="withRespectTo"/> (default: the input), plus <paramref name="extraOutputs"/>.
    /// </summary>
    public GradientResult Compute(FloatTensor input, GradientTarget target, IReadOnlyList<string>? withRespectTo = null,
        IReadOnlyList<string>? extraOutputs = null, bool guidedRelu = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Run(input, target, withRespectTo ?? [InputName], extraOutputs ?? [], guidedRelu);
    }

    /// <summary>Forward only: the target value per item and <paramref name="extraOutputs"/>.</summary>
    public GradientResult Evaluate(FloatTensor input, GradientTarget target, IReadOnlyList<string>? extraOutputs = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Run(input, target, [], extraOutputs ?? [], false);
    }

    /// <summary>The built graph for a target tensor and differentiated tensors (built on first use).</summary>
    internal BackwardGraph GraphFor(string? targetTensor, IReadOnlyList<string> withRespectTo, IReadOnlyList<string>? extraOutputs = null, bool guidedRelu = false) =>
        Entry(targetTensor, withRespectTo, extraOutputs ?? [], guidedRelu).Graph;

    private (BackwardGraph Graph, OnnxExecutor Session, long BytesPerItem) Entry(string? targetTensor, IReadOnlyList<string> wrt, IReadOnlyList<string> extras, bool guided)
    {
        string tensor = targetTensor ?? Builder.DefaultTarget;
        string key = $"{tensor}\n{string.Join("\t", wrt)}\n{string.Join("\t", extras)}\n{guided}";
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_graphs.TryGetValue(key, out var entry)) return entry;
            // building the graph makes its garbage faster than runs spend the budget: a watch collects it while it piles up
            using (GarbageBudget.Watch(_budget.CollectAfterAllocatedBytes))
            {
                var graph = Builder.Build(tensor, wrt, extras, guided);
                entry = (graph, new OnnxExecutor(graph.ToModelGraph(), _execution), Builder.BytesPerItem(graph));
            }
            _graphs[key] = entry;
            return entry;
        }
    }

    private GradientResult Run(FloatTensor input, GradientTarget target, IReadOnlyList<string> wrt, IReadOnlyList<string> extras, bool guided)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (graph, session, bytesPerItem) = Entry(target.Tensor, wrt, extras, guided);
        var itemShape = Builder.ItemShape(InputName);
        if (input.Rank != itemShape.Length + 1 || !input.Shape.AsSpan(1).SequenceEqual(itemShape))
            throw new CnnDiagnosticsException($"input has shape [{string.Join(",", input.Shape)}]; the model takes [N,{string.Join(",", itemShape)}].");
        int n = input.Shape[0];
        var seed = target.Seed([n, .. graph.TargetItemShape]);
        var outputs = new List<string> { BackwardGraph.TargetValueName };
        outputs.AddRange(graph.GradientOutputs.Values);
        outputs.AddRange(graph.ExtraOutputs);

        // a model fixed at a batch size runs in runs of that size; otherwise as many items as fit the memory budget
        int chunk = graph.FixedBatch ?? _budget.RowsPerRun(bytesPerItem, n);
        if (graph.FixedBatch is not null && n % chunk != 0)
            throw new CnnDiagnosticsException($"the model is fixed at batch {chunk}; a batch of {n} is not a multiple of it.");
        var parts = new List<IReadOnlyDictionary<string, FloatTensor>>();
        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start); // the last run of a memory-bounded batch may be shorter
            var feeds = new Dictionary<string, FloatTensor>
            {
                [InputName] = input.Rows(start, count),
                [BackwardGraph.SeedName] = seed.Rows(start, count),
            };
            parts.Add(session.Run(feeds, outputs));
        }
        FloatTensor Joined(string name) => parts.Count == 1 ? parts[0][name] : Concat(parts.Select(p => p[name]).ToList());
        var values = Joined(BackwardGraph.TargetValueName).Data;
        foreach (var v in values)
            if (!float.IsFinite(v)) throw new CnnDiagnosticsException("the target value is NaN or infinite; check the input's scale and preprocessing.");
        return new GradientResult(values,
            graph.GradientOutputs.ToDictionary(p => p.Key, p => Joined(p.Value)),
            graph.ExtraOutputs.ToDictionary(e => e, Joined));
    }

    private static FloatTensor Concat(IReadOnlyList<FloatTensor> parts)
    {
        var data = parts.SelectMany(p => p.Data).ToArray();
        return new FloatTensor([parts.Sum(p => p.Shape[0]), .. parts[0].Shape[1..]], data);
    }

    /// <summary>
    /// Disposes the ONNX Runtime sessions made so far (their weights and working memory) and keeps the engine usable: the
    /// next run makes its session again. For work that must not hold two networks' sessions at once.
    /// </summary>
    internal void ReleaseSessions()
    {
        lock (_lock)
        {
            foreach (var (_, session, _) in _graphs.Values) session.Dispose();
            _graphs.Clear();
        }
        NativeHeap.Trim();
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (_, session, _) in _graphs.Values) session.Dispose();
            _graphs.Clear();
        }
    }
}
