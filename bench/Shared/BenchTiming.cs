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
}
