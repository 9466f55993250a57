namespace MLNet.CnnDiagnostics.Execution;

/// <summary>How ONNX Runtime runs a model: CPU by default, CUDA when asked.</summary>
public sealed class ExecutionOptions
{
    /// <summary>Threads inside one operator (0 = ONNX Runtime's default: all cores).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Use the CUDA execution provider (needs the ONNX Runtime GPU native package); falls back with an error, never silently.</summary>
    public bool UseCuda { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's operator threads spin while waiting for work (its default). Turn it off when other threads of
    /// the process need the cores between runs, as a scan's image decoders do.
    /// </summary>
    public bool SpinWhileIdle { get; set; } = true;

    /// <summary>CUDA device index when <see cref="UseCuda"/> is set.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// ONNX Runtime's CPU memory arena (null = ONNX Runtime's default, on). The arena keeps every block it ever grew to
    /// for the session's lifetime: it pays for a long-lived session running many batches of one shape, not for a short one.
    /// </summary>
    public bool? CpuMemoryArena { get; set; }

    /// <summary>
    /// ONNX Runtime's memory pattern: one pre-planned block for all intermediate tensors per input shape
    /// (null = ONNX Runtime's default, on). Off, tensors are allocated as they become live and freed when dead.
    /// </summary>
    public bool? MemoryPattern { get; set; }

    /// <summary>
    /// A full garbage collection before a run once this many bytes have been allocated since the last one (0 = the
    /// runtime decides). The report sets it for its own sessions; see <see cref="GarbageBudget"/>.
    /// </summary>
    internal long CollectAfterAllocatedBytes { get; init; }
}
