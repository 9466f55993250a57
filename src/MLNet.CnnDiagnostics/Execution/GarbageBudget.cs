namespace MLNet.CnnDiagnostics.Execution;

/// <summary>
/// Bounds the garbage a long piece of work leaves between the runtime's own collections. The report allocates big
/// short-lived arrays (batches of images, activations copied out of ONNX Runtime, model bytes per session), most of them
/// on the large object heap, which the GC sweeps only in full collections; on a machine with plenty of memory it lets
/// about a gigabyte of them pile up first, on top of the live data. A full collection each time
/// <see cref="Spend"/> sees that many bytes allocated since the last one keeps the heap near its live size.
/// </summary>
internal static class GarbageBudget
{
    private static long _mark;

    /// <summary>
    /// The garbage the library's long runs (a tap's pass over a dataset, a report) let pile up between full collections.
    /// Measured on ResNet18 at 224 px: without it the managed heap reached 2.5 GB while a tap read 1,600 rows (ML.NET's
    /// pixel vectors, 0.6 MB a row, are large objects that only a full collection frees) and 1.2–1.3 GB in a 500-row
    /// report's sections whose live data was under 0.35 GB.
    /// </summary>
    public const long DefaultBytes = 256L << 20;

    /// <summary>
    /// The garbage a report lets pile up between full collections: smaller than <see cref="DefaultBytes"/>, since a
    /// report's peak comes while a backward graph is built or its session is alive, and garbage then adds to it.
    /// Measured in a 200-row ResNet18 report (bench/ReportMemBench, MEMBENCH_DEBUG): the activation investigation's peak
    /// RSS 1,208 MB instead of 1,300 MB, its GC pauses 0.9 s instead of 1.2 s (smaller heaps collect faster).
    /// </summary>
    public const long ReportBytes = 64L << 20;

    /// <summary>
    /// Spends the budget from a timer every <paramref name="periodMilliseconds"/> until disposed: for work that
    /// allocates a lot between the places that call <see cref="Spend"/> (building a backward graph allocates about
    /// 0.5 GB for ResNet18, most of it garbage at once). Nothing runs when <paramref name="bytes"/> is 0 or less.
    /// </summary>
    public static IDisposable Watch(long bytes, int periodMilliseconds = 10) =>
        bytes <= 0 ? Unwatched.Instance : new Timer(_ => Spend(bytes), null, 0, periodMilliseconds);

    /// <summary>Collects (full, blocking, not compacting) once <paramref name="bytes"/> have been allocated since the last such collection; 0 or less does nothing.</summary>
    public static void Spend(long bytes)
    {
        if (bytes <= 0) return;
        long mark = Interlocked.Read(ref _mark), now = GC.GetTotalAllocatedBytes(precise: false);
        if (now - mark < bytes || Interlocked.CompareExchange(ref _mark, now, mark) != mark) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    private sealed class Unwatched : IDisposable
    {
        public static readonly Unwatched Instance = new();

        public void Dispose()
        {
        }
    }
}
