using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.CnnDiagnostics.Data;
using MLNet.CnnDiagnostics.Gradients;
using MLNet.CnnDiagnostics.Reporting;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// Reads the report's seeded sample of rows, leaving out rows whose image cannot be read: real datasets hold a few
/// broken files, and one of them must not cost the user the report. Files named in the pipeline's LoadImages column are
/// checked from their header first (readable, a known format, within <see cref="VisualizationOptions.MaxImagePixels"/>),
/// so a decompression bomb is never decoded; a file that passes but still fails in ML.NET's cursor is found by reading
/// the sampled rows one at a time. Each left-out image is recorded with its reason.
/// </summary>
internal static class SampledImages
{
    public static ReportContext Read(IDataView input, ITransformer model, LocatedCnn cnn, LinearHead? head, VisualizationOptions options, Action<string> log)
    {
        var rows = (RowSampleDataView.Choose(input, options.MaxRows, options.Seed)
            ?? Enumerable.Range(0, (int)RowSampleDataView.RowCount(input)).Select(i => (long)i)).Order().ToList();
        var files = ImageFiles(input, model, rows);
        var skipped = new List<SkippedImage>();
        void Skip(long row, string reason)
        {
            string what = files is not null && files.TryGetValue(row, out var f) ? f : $"row {row}";
            if (!options.SkipUnreadableImages)
                throw new CnnDiagnosticsException($"image '{what}' {reason}; unreadable images are errors here (SkipUnreadableImages is false).");
            skipped.Add(new SkippedImage { Path = what, Reason = reason });
            log($"skipped image '{what}': {reason}");
            rows.Remove(row);
        }

        if (files is not null)
            foreach (var (row, path) in files)
                if (ImageFileCheck.Problem(path, options.MaxImagePixels) is { } problem) Skip(row, problem);
        int total = rows.Count + skipped.Count;
        try
        {
            return WithSkipped(SampleReader.Read(Transform(input, model, rows, total), cnn, head, options), skipped);
        }
        catch (Exception e) when (IsRowFailure(e))
        {
            // ML.NET reads rows in parallel and a failing row ends the whole cursor: read each row alone to find the bad ones.
            int before = skipped.Count;
            var pixelColumn = cnn.PixelColumn;
            foreach (long row in rows.ToList())
            {
                try
                {
                    var one = model.Transform(RowSampleDataView.FromRows(input, [row]));
                    _ = one.GetColumn<VBuffer<float>>(one.Schema[pixelColumn]).ToList();
                }
                catch (Exception rowError) when (IsRowFailure(rowError))
                {
                    Skip(row, files is null ? $"cannot be loaded ({Innermost(rowError).Message})"
                        : $"cannot be decoded although its header is valid: the image data is corrupt or truncated ({Innermost(rowError).Message})");
                }
            }
            if (skipped.Count == before) throw;
            return WithSkipped(SampleReader.Read(Transform(input, model, rows, total), cnn, head, options), skipped);
        }
    }

    private static IDataView Transform(IDataView input, ITransformer model, List<long> rows, int total)
    {
        if (rows.Count == 0)
            throw new CnnDiagnosticsException($"all {total} sampled images were left out as unreadable; see the skipped images in the log, or check the image folder.");
        return model.Transform(RowSampleDataView.FromRows(input, rows));
    }

    private static ReportContext WithSkipped(ReportContext context, List<SkippedImage> skipped)
    {
        context.SkippedImages = skipped;
        return context;
    }

    /// <summary>
    /// The image file of each sampled row, as the pipeline's (first) LoadImages stage resolves it; null when the
    /// pipeline loads no image files or their path column is not visible.
    /// </summary>
    private static Dictionary<long, string>? ImageFiles(IDataView input, ITransformer model, List<long> rows)
    {
        var loader = CnnLocator.Flatten(model).OfType<ImageLoadingTransformer>().FirstOrDefault();
        var pairs = loader is null ? [] : CnnLocator.ColumnPairs(loader);
        if (loader is null || pairs.Count == 0) return null;
        string column = pairs[0].Input;
        var view = model.Transform(RowSampleDataView.FromRows(input, rows));
        var col = view.Schema.GetColumnOrNull(column);
        if (col is null || col.Value.Type is not TextDataViewType)
        {
            view = RowSampleDataView.FromRows(input, rows);
            col = view.Schema.GetColumnOrNull(column);
            if (col is null || col.Value.Type is not TextDataViewType) return null;
        }
        var paths = view.GetColumn<ReadOnlyMemory<char>>(col.Value).Select(p => p.ToString()).ToList();
        if (paths.Count != rows.Count) return null;
        return rows.Zip(paths).ToDictionary(p => p.First, p => string.IsNullOrWhiteSpace(loader.ImageFolder) ? p.Second : Path.Combine(loader.ImageFolder, p.Second));
    }

    // what a bad row raises inside ML.NET's cursor; a programming error or exhausted memory is not a bad image
    private static bool IsRowFailure(Exception e) =>
        e is not (OperationCanceledException or OutOfMemoryException or CnnDiagnosticsException) &&
        (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException or FormatException || e.InnerException is not null);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
