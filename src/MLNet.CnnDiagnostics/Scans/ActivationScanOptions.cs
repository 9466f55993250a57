using MLNet.CnnDiagnostics.Execution;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>Settings of an <see cref="ActivationScan"/>.</summary>
public sealed class ActivationScanOptions
{
    /// <summary>Layers to investigate (node or tensor names); null: the <see cref="Selection.LayerSelector"/>'s investigation layers.</summary>
    public IReadOnlyList<string>? Layers { get; set; }

    /// <summary>Top activating positions kept per channel (default 16).</summary>
    public int K { get; set; } = 16;

    /// <summary>Images per inference batch (default 64).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>A checkpoint is written after at least this many images (default 2048), at a batch boundary, and at the end.</summary>
    public int CheckpointEvery { get; set; } = 2048;

    /// <summary>The share of the dataset this process scans (default: all).</summary>
    public ScanShard Shard { get; set; } = ScanShard.All;

    /// <summary>Relative accuracy of the per-channel quantile sketches (default 0.005).</summary>
    public double RelativeAccuracy { get; set; } = 0.005;

    /// <summary>Threads decoding images while the model runs (0: one per core).</summary>
    public int DecodeThreads { get; set; }

    /// <summary>Batches decoded ahead of inference (default 3).</summary>
    public int Prefetch { get; set; } = 3;

    /// <summary>
    /// How ONNX Runtime runs the model (CPU by default; <see cref="ExecutionOptions.UseCuda"/> for the CUDA provider). By default
    /// its threads do not spin between batches, so that the decoding threads get the cores.
    /// </summary>
    public ExecutionOptions Execution { get; set; } = new() { SpinWhileIdle = false };

    internal void Validate()
    {
        if (K < 1 || K > 4096) throw new ArgumentOutOfRangeException(nameof(K), K, $"K is {K}; keep 1..4096 patches per channel.");
        if (BatchSize < 1 || BatchSize > 65536) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch size {BatchSize} must lie in 1..65536.");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, $"checkpoint interval {CheckpointEvery} must be at least 1 image.");
        if (!(RelativeAccuracy > 0 && RelativeAccuracy < 1))
            throw new ArgumentOutOfRangeException(nameof(RelativeAccuracy), RelativeAccuracy, $"relative accuracy {RelativeAccuracy} must lie strictly between 0 and 1.");
        if (DecodeThreads < 0) throw new ArgumentOutOfRangeException(nameof(DecodeThreads), DecodeThreads, $"decode threads {DecodeThreads} must be 0 (automatic) or more.");
        if (Prefetch < 1 || Prefetch > 64) throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, $"prefetch {Prefetch} must lie in 1..64 batches.");
        ArgumentNullException.ThrowIfNull(Execution);
    }
}
