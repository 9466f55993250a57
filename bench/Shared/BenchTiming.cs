using System.Diagnostics;

/// <summary>Timing shared by the benchmarks (linked into each): the median of repeated runs, in milliseconds.</summary>
internal static class BenchTiming
{
    public static double Median(Action run, int repeats)
    {
        var times = new List<double>();
        for (int i = 0; i < Math.Max(1, repeats); i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>
    /// The median CPU time of the whole process per run, in milliseconds: on a shared, oversubscribed machine it measures the
    /// work done, where wall time also counts waiting for a core (use with one intra-op thread, so no thread spins idle).
    /// </summary>
    public static double MedianCpu(Action run, int repeats) => Cpu(run, repeats)[repeats / 2];

    /// <summary>
    /// The least CPU time of the process over the runs, in milliseconds: other processes' load only adds to a run's time
    /// (cache and memory contention), so on a loaded machine the minimum is the steadiest estimate of the work.
    /// </summary>
    public static double MinCpu(Action run, int repeats) => Cpu(run, repeats)[0];

    private static List<double> Cpu(Action run, int repeats)
    {
        using var process = Process.GetCurrentProcess();
        var times = new List<double>();
        for (int i = 0; i < Math.Max(1, repeats); i++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            run();
            process.Refresh();
            times.Add((process.TotalProcessorTime - before).TotalMilliseconds);
        }
        times.Sort();
        return times;
    }
}
