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

    /// <summary>Collects (full, blocking, not compacting) once <paramref name="bytes"/> have been allocated since the last such collection; 0 or less does nothing.</summary>
    public static void Spend(long bytes)
    {
        if (bytes <= 0) return;
        long mark = Interlocked.Read(ref _mark), now = GC.GetTotalAllocatedBytes(precise: false);
        if (now - mark < bytes || Interlocked.CompareExchange(ref _mark, now, mark) != mark) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }
}
