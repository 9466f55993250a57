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
    /// The memory, in MB, that the tensors of one ONNX Runtime run may take (0: no limit; default 64). A batch whose
    /// activations would need more, estimated from the graph's tensor shapes, runs as several smaller runs with the same
    /// results: a tap's <c>BatchSize</c> and an attribution's batch size are then upper bounds on the rows per run, and
    /// this bounds their bytes. ResNet18 at 224 px keeps about 6.4 MB of activations a row alive forward (ONNX Runtime's
    /// convolution workspaces come on top) and 16 MB forward + backward, so the default runs 10 and 4 rows at a time
    /// where a batch of 32 took about 0.4 GB forward; a 28-px CNN needs kilobytes a row and keeps its whole batch.
    /// </summary>
    public int BatchMemoryMegabytes { get; set; } = DefaultBatchMemoryMegabytes;

    /// <summary>The default of <see cref="BatchMemoryMegabytes"/>.</summary>
    public const int DefaultBatchMemoryMegabytes = 64;

    /// <summary>
    /// How many of <paramref name="rows"/> rows fit one run under <see cref="BatchMemoryMegabytes"/> when each needs
    /// <paramref name="bytesPerRow"/> bytes (at least 1; all when there is no limit or the size is unknown).
    /// </summary>
    internal int RowsPerRun(long bytesPerRow, int rows)
    {
        if (BatchMemoryMegabytes < 0)
            throw new ArgumentOutOfRangeException(nameof(BatchMemoryMegabytes), BatchMemoryMegabytes, "the batch memory must be 0 (no limit) or a positive number of MB.");
        if (BatchMemoryMegabytes == 0 || bytesPerRow <= 0 || rows <= 1) return Math.Max(rows, 1);
        return (int)Math.Clamp(((long)BatchMemoryMegabytes << 20) / bytesPerRow, 1, rows);
    }

    /// <summary>
    /// A copy for the library's own sessions: ONNX Runtime's CPU memory arena and memory pattern off unless these options
    /// set them (an arena never shrinks and keeps every block the largest batch grew it to; a pattern is one more block per
    /// input shape), and a full collection each <paramref name="garbageBytes"/> allocated (see <see cref="GarbageBudget"/>).
    /// </summary>
    internal ExecutionOptions WithBoundedMemory(long garbageBytes) => new()
    {
        IntraOpThreads = IntraOpThreads,
        UseCuda = UseCuda,
        SpinWhileIdle = SpinWhileIdle,
        CudaDeviceId = CudaDeviceId,
        CpuMemoryArena = CpuMemoryArena ?? false,
        MemoryPattern = MemoryPattern ?? false,
        BatchMemoryMegabytes = BatchMemoryMegabytes,
        CollectAfterAllocatedBytes = garbageBytes,
        FrugalLoading = true,
    };

    /// <summary>
    /// Whether a session is made the memory-frugal way (see <see cref="OnnxExecutor"/>): the managed garbage collected
    /// first and the model handed to ONNX Runtime through a temporary file instead of a byte array. Measured on
    /// ResNet18's backward session (bench/ReportMemBench --child session, one intra-op thread): the creation's peak RSS
    /// 830–940 MB instead of 1,320 MB, backward batches' CPU time unchanged (1.50–1.55 s for 16 rows both ways). The
    /// report's own sessions use it. (ONNX Runtime's "session.disable_prepacking" made no difference beyond the noise
    /// there, and graph optimisation level "extended" or "basic" saved about 150 MB but cost 16% more CPU time.)
    /// </summary>
    internal bool FrugalLoading { get; init; }

    /// <summary>
    /// A full garbage collection before a run once this many bytes have been allocated since the last one (0 = the
    /// runtime decides). The report sets it for its own sessions; see <see cref="GarbageBudget"/>.
    /// </summary>
    internal long CollectAfterAllocatedBytes { get; init; }
}
