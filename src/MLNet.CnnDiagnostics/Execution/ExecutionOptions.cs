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
}
