namespace MLNet.CnnDiagnostics.Scans;

/// <summary>Progress of a scan.</summary>
/// <param name="Done">Items of this shard taken so far (including those of earlier, resumed runs).</param>
/// <param name="Planned">Items of this shard in all.</param>
/// <param name="ImagesPerSecond">Images scanned per second in this run (0 before the first batch).</param>
/// <param name="Remaining">Estimated time left at this run's rate, or null before the first batch.</param>
/// <param name="Skipped">Unreadable images so far.</param>
public readonly record struct ScanProgress(long Done, long Planned, double ImagesPerSecond, TimeSpan? Remaining, long Skipped)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Done}/{Planned} images, {ImagesPerSecond:F0} images/s{(Remaining is { } r ? $", {Format(r)} left" : "")}{(Skipped > 0 ? $", {Skipped} skipped" : "")}";

    private static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:D2} s" : $"{t.TotalSeconds:F0} s";
}
