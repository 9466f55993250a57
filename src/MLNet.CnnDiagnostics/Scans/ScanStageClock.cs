using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// Where a scan's CPU goes: the process's CPU time (getrusage, so other processes on a loaded machine do not blur it)
/// accumulated per stage of the batch loop. Off unless a caller sets <see cref="ActivationScan.StageClock"/> (cnndiag does
/// with CNNDIAG_SCAN_PROFILE=1); the scan then runs its stages one after another instead of overlapped, so that each
/// stage's CPU time (its worker threads' included) is its own.
/// </summary>
internal sealed class ScanStageClock
{
    internal enum Stage { Decode, Pack, Infer, Patches, Quantiles, Tables, Checkpoint }

    private readonly long[] _nanoseconds = new long[Enum.GetValues<Stage>().Length];

    /// <summary>The process CPU time accumulated in <paramref name="stage"/>.</summary>
    public TimeSpan this[Stage stage] => TimeSpan.FromTicks(Interlocked.Read(ref _nanoseconds[(int)stage]) / 100);

    /// <summary>Starts measuring <paramref name="stage"/> (nothing when <paramref name="clock"/> is null).</summary>
    public static Lap Measure(ScanStageClock? clock, Stage stage) => clock is null ? default : new(clock, stage, ProcessCpuNanoseconds());

    /// <summary>One line per stage: CPU microseconds per image over <paramref name="images"/>.</summary>
    public string Summary(long images)
    {
        long total = _nanoseconds.Sum();
        var parts = Enum.GetValues<Stage>().Select(s => $"{s.ToString().ToLowerInvariant()} {_nanoseconds[(int)s] / 1e3 / Math.Max(1, images),8:F1} us/image ({100.0 * _nanoseconds[(int)s] / Math.Max(1, total),5:F1}%)");
        return $"process CPU time over {images} images, {total / 1e3 / Math.Max(1, images):F1} us/image in all:\n  " + string.Join("\n  ", parts);
    }

    /// <summary>CPU time (user and system) consumed by this process, in nanoseconds (0 where the platform does not say).</summary>
    public static long ProcessCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        Span<long> usage = stackalloc long[18]; // struct rusage: two timevals, then 14 longs
        unsafe
        {
            fixed (long* p = usage)
                if (getrusage(0, p) != 0) return 0; // RUSAGE_SELF
        }
        return (usage[0] + usage[2]) * 1_000_000_000 + (usage[1] + usage[3]) * 1_000;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern unsafe int getrusage(int who, long* usage);

    internal readonly struct Lap(ScanStageClock? clock, Stage stage, long start) : IDisposable
    {
        public void Dispose()
        {
            if (clock is not null) Interlocked.Add(ref clock._nanoseconds[(int)stage], ProcessCpuNanoseconds() - start);
        }
    }
}
