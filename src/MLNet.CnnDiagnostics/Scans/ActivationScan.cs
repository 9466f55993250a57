using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using MLNet.CnnDiagnostics.Analysis.Activations;
using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Selection;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// One pass of a model over every image of a dataset (or of one shard of it), in batches: per investigated layer and
/// channel the top-k activating positions and a quantile sketch of all activations, and per image its embedding and
/// predicted class, streamed to .npy tables. Memory does not grow with the number of images. Images are decoded on other
/// threads while the model runs. The state is checkpointed atomically every <see cref="ActivationScanOptions.CheckpointEvery"/>
/// images; running the same scan into the same folder again continues from the last checkpoint, and the finished folder
/// is byte-identical to one written without interruption. Shards of a dataset merge exactly (<see cref="ScanMerge"/>).
/// </summary>
public sealed class ActivationScan : IDisposable
{
    private readonly OnnxExecutor _executor;
    private readonly string[] _outputs;
    private readonly byte[] _modelFingerprint;

    /// <summary>Prepares a scan of <paramref name="model"/>: chooses the layers and opens an ONNX Runtime session.</summary>
    /// <exception cref="CnnDiagnosticsException">A named layer is unknown, no layer can be investigated, or the execution provider is missing.</exception>
    public ActivationScan(ModelGraph model, ActivationScanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new ActivationScanOptions();
        Options.Validate();
        Selection = LayerSelector.Select(model, new LayerOverrides { Investigation = Options.Layers });
        if (Selection.Investigation.Count == 0)
            throw new CnnDiagnosticsException($"model '{model.SourceName}' has no layer to investigate ({string.Join("; ", Selection.Notes)}); name one or more spatial layers.");
        CheckDevice(Options.Execution);
        _outputs = [.. Selection.Investigation.Select(l => l.Tensor), Selection.Embedding.Tensor, Selection.Logits.Tensor];
        _outputs = _outputs.Distinct().ToArray();
        var batched = model.HasSymbolicBatch ? model : model.WithSymbolicBatch();
        _executor = new OnnxExecutor(batched.WithOnlyOutputs(_outputs), Options.Execution);
        _modelFingerprint = SHA256.HashData(model.ToBytes());
    }

    /// <summary>The settings.</summary>
    public ActivationScanOptions Options { get; }

    /// <summary>The layer choices: investigated layers, embedding and logits, each with its reason.</summary>
    public LayerSelection Selection { get; }

    /// <summary>When set, the CPU time of each stage of the batch loop is accumulated here (profiling; null by default).</summary>
    internal ScanStageClock? StageClock { get; set; }

    /// <summary>
    /// Scans this process's shard of <paramref name="source"/> into <paramref name="folder"/> (created when missing),
    /// continuing a checkpoint found there. Returns the finished state; a folder holding the finished scan is returned as is.
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The folder holds other files or a scan made with other settings, or the model fails.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the state is checkpointed first, so running again continues.</exception>
    public ScanState Run(IScanSource source, string folder, IProgress<ScanProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var itemShape = source.ItemShape.ToArray();
        if (itemShape.Length != 3 || itemShape.Any(d => d <= 0))
            throw new CnnDiagnosticsException($"the scan source gives items of shape [{string.Join(",", itemShape)}]; it must give images [C, H, W].");
        var header = Probe(source, itemShape);
        ScanFolder.CheckWritable(folder);
        Directory.CreateDirectory(folder);
        ScanFolder.DeleteOwnTemporaries(folder);
        var shard = Options.Shard;
        ScanState state;
        if (File.Exists(Path.Combine(folder, ScanFolder.StateFile)))
        {
            state = ScanFolder.Load(folder);
            if (state.Header.Difference(header) is { } why)
                throw new CnnDiagnosticsException($"folder '{folder}' holds a scan that this one cannot continue: {why}. Give another folder, or delete it to start again.");
            if (!state.Shards.SequenceEqual([shard.Index]))
                throw new CnnDiagnosticsException($"folder '{folder}' holds the scan of shard(s) {string.Join(",", state.Shards)}/{state.Header.ShardCount}, not of shard {shard}; give each shard its own folder.");
            if (state.IsComplete) return state;
        }
        else
        {
            long planned = shard.Count == 1 ? source.Count : CountShard(source, shard);
            state = new ScanState(header, Layers(header)) { Shards = [shard.Index], Planned = planned };
            ScanFolder.Save(folder, state);
        }
        using var tables = new ScanTables(folder, header, state.Rows, create: true);
        new ScanLoop(this, source, state, tables, folder, progress).Run(cancellation);
        return state;
    }

    /// <summary>Runs the model on one batch and returns its outputs by tensor name.</summary>
    internal IReadOnlyDictionary<string, FloatTensor> Infer(FloatTensor images) => _executor.Run(images, _outputs);

    /// <summary>Ids of the items of <paramref name="shard"/>, ascending.</summary>
    internal static IEnumerable<long> ShardIds(IScanSource source, ScanShard shard)
    {
        for (long id = 0; id < source.Count; id++)
            if (shard.Count == 1 || shard.Contains(source.Key(id))) yield return id;
    }

    private static long CountShard(IScanSource source, ScanShard shard) => ShardIds(source, shard).LongCount();

    private ScanHeader Probe(IScanSource source, int[] itemShape)
    {
        // one zero image gives every output's shape: channels, embedding width, number of classes
        var outputs = Infer(new FloatTensor([1, .. itemShape]));
        foreach (var layer in Selection.Investigation)
            if (outputs[layer.Tensor].Shape is not [1, > 0, > 0, > 0])
                throw new CnnDiagnosticsException($"layer '{layer.Tensor}' gives activations of shape [{string.Join(",", outputs[layer.Tensor].Shape)}] for one image; a scan investigates spatial layers [N, C, H, W] (choose a convolution, pooling or activation before the network is flattened).");
        var layerList = Selection.Investigation.Select(l => l.Tensor).ToArray();
        return new ScanHeader
        {
            ModelFingerprint = _modelFingerprint,
            SourceFingerprint = source.Fingerprint.ToArray(),
            SourceCount = source.Count,
            ShardCount = Options.Shard.Count,
            K = Options.K,
            RelativeAccuracy = Options.RelativeAccuracy,
            EmbeddingTensor = Selection.Embedding.Tensor,
            EmbeddingDimension = outputs[Selection.Embedding.Tensor].Length,
            LogitsTensor = Selection.Logits.Tensor,
            Classes = outputs[Selection.Logits.Tensor].Length,
            Layers = layerList,
            LayerChannels = layerList.Select(l => outputs[l].Shape[1]).ToArray(),
        };
    }

    private List<ScanLayerState> Layers(ScanHeader header) =>
        header.Layers.Select((t, i) => new ScanLayerState(t, new TopActivatingPatches(header.LayerChannels[i], header.K),
            new ActivationQuantiles(header.LayerChannels[i], header.RelativeAccuracy))).ToList();

    private static void CheckDevice(ExecutionOptions execution)
    {
        if (!execution.UseCuda) return;
        var providers = OrtEnv.Instance().GetAvailableProviders();
        if (!providers.Contains("CUDAExecutionProvider"))
            throw new CnnDiagnosticsException(
                $"the CUDA execution provider is not available: this ONNX Runtime build offers only {string.Join(", ", providers)}. " +
                "Reference Microsoft.ML.OnnxRuntime.Gpu.Linux (with CUDA 12 and cuDNN 9 installed) instead of Microsoft.ML.OnnxRuntime, or run on the CPU (--device cpu).");
    }

    /// <inheritdoc/>
    public void Dispose() => _executor.Dispose();

    /// <summary>The batch loop of one run: decoding ahead on other threads, inference here, folding beside the next inference.</summary>
    private sealed class ScanLoop(ActivationScan scan, IScanSource source, ScanState state, ScanTables tables, string folder, IProgress<ScanProgress>? progress)
    {
        private readonly int _itemLength = source.ItemShape.Aggregate(1, (a, b) => checked(a * b));
        private readonly int _threads = scan.Options.DecodeThreads > 0 ? scan.Options.DecodeThreads : Environment.ProcessorCount;

        public void Run(CancellationToken cancellation)
        {
            var options = scan.Options;
            using var batches = ShardIds(source, options.Shard).Skip(checked((int)state.Done)).Chunk(options.BatchSize).GetEnumerator();
            var ahead = new Queue<Task<Decoded>>();
            void Refill()
            {
                while (ahead.Count < options.Prefetch && batches.MoveNext())
                {
                    var ids = batches.Current;
                    // profiling: stages one after another, so that each one's CPU time is its own
                    ahead.Enqueue(scan.StageClock is null ? Task.Run(() => Decode(ids, cancellation), cancellation) : Task.FromResult(Decode(ids, cancellation)));
                }
            }
            Refill();
            var clock = Stopwatch.StartNew();
            long scanned = 0, sinceCheckpoint = 0, taken = state.Done;
            Task fold = Task.CompletedTask;
            try
            {
                while (ahead.Count > 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var decoded = ahead.Dequeue().GetAwaiter().GetResult();
                    Refill();
                    var good = Enumerable.Range(0, decoded.Ids.Length).Where(i => decoded.Errors[i] is null).ToArray();
                    IReadOnlyDictionary<string, FloatTensor>? outputs = null;
                    if (good.Length > 0)
                    {
                        FloatTensor batch;
                        using (ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Pack)) batch = Batch(decoded, good);
                        using (ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Infer)) outputs = scan.Infer(batch);
                    }
                    fold.GetAwaiter().GetResult();
                    fold = Task.Run(() => Fold(decoded, good, outputs));
                    if (scan.StageClock is not null) fold.GetAwaiter().GetResult();
                    scanned += good.Length;
                    taken += decoded.Ids.Length;
                    sinceCheckpoint += decoded.Ids.Length;
                    if (sinceCheckpoint >= options.CheckpointEvery)
                    {
                        fold.GetAwaiter().GetResult();
                        Checkpoint();
                        sinceCheckpoint = 0;
                    }
                    Report(clock.Elapsed.TotalSeconds, scanned, taken);
                }
                fold.GetAwaiter().GetResult();
                state.SortSkipped();
                Checkpoint();
                Report(clock.Elapsed.TotalSeconds, scanned, state.Done);
            }
            catch (OperationCanceledException)
            {
                // keep what is done: the next run continues from here
                if (fold.IsCompletedSuccessfully || fold.Wait(TimeSpan.FromMinutes(1)))
                    Checkpoint();
                throw;
            }
        }

        private void Report(double seconds, long scanned, long done)
        {
            if (progress is null) return;
            double rate = seconds > 0 ? scanned / seconds : 0;
            TimeSpan? left = rate > 0 ? TimeSpan.FromSeconds((state.Planned - done) / rate) : null;
            progress.Report(new ScanProgress(done, state.Planned, rate, left, state.Skipped.Count));
        }

        private void Checkpoint()
        {
            using var lap = ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Checkpoint);
            tables.Checkpoint();
            ScanFolder.Save(folder, state);
        }

        private Decoded Decode(long[] ids, CancellationToken cancellation)
        {
            using var lap = ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Decode);
            var pixels = new float[ids.Length * _itemLength];
            var errors = new string?[ids.Length];
            int chunks = Math.Min(_threads, ids.Length), size = (ids.Length + chunks - 1) / chunks;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = cancellation }, c =>
            {
                int start = c * size, count = Math.Min(size, ids.Length - start);
                if (count <= 0) return;
                var chunkErrors = new string?[count];
                source.Load(new ArraySegment<long>(ids, start, count), pixels.AsSpan(start * _itemLength, count * _itemLength), chunkErrors);
                chunkErrors.CopyTo(errors, start);
            });
            return new Decoded(ids, pixels, errors);
        }

        private FloatTensor Batch(Decoded decoded, int[] good)
        {
            var shape = new[] { good.Length }.Concat(source.ItemShape).ToArray();
            if (good.Length == decoded.Ids.Length) return new FloatTensor(shape, decoded.Pixels);
            var data = new float[good.Length * _itemLength];
            for (int i = 0; i < good.Length; i++)
                decoded.Pixels.AsSpan(good[i] * _itemLength, _itemLength).CopyTo(data.AsSpan(i * _itemLength));
            return new FloatTensor(shape, data);
        }

        private void Fold(Decoded decoded, int[] good, IReadOnlyDictionary<string, FloatTensor>? outputs)
        {
            var ids = good.Select(i => decoded.Ids[i]).ToArray();
            if (outputs is not null)
            {
                // profiling: one layer at a time, so that the stages' process CPU times do not overlap
                Parallel.ForEach(state.Layers, new ParallelOptions { MaxDegreeOfParallelism = scan.StageClock is null ? -1 : 1 }, layer =>
                {
                    var activations = outputs[layer.Tensor];
                    using (ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Patches)) layer.Patches.Add(activations, ids);
                    using (ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Quantiles)) layer.Quantiles.Add(activations);
                });
                using (ScanStageClock.Measure(scan.StageClock, ScanStageClock.Stage.Tables))
                    tables.Append(ids, outputs[state.Header.EmbeddingTensor], outputs[state.Header.LogitsTensor]);
            }
            for (int i = 0; i < decoded.Ids.Length; i++)
                if (decoded.Errors[i] is { } reason) state.AddSkipped(decoded.Ids[i], reason);
            state.Done += decoded.Ids.Length;
            state.Rows += ids.Length;
        }
    }

    private sealed record Decoded(long[] Ids, float[] Pixels, string?[] Errors);
}
