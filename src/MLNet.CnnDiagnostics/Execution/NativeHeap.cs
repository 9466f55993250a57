using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics.Execution;

/// <summary>
/// Hands the C heap's free pages back to the operating system after ONNX Runtime sessions are disposed. glibc keeps
/// freed memory in its arenas (one per thread that allocated, ONNX Runtime's pool threads included), so without this
/// the resident size after a disposed session stays at its peak and the next session's memory comes on top of it.
/// </summary>
internal static partial class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns free heap pages to the system where the C library can (glibc's malloc_trim); otherwise does nothing.</summary>
    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true; // musl and other C libraries have no malloc_trim
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
