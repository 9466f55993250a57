namespace MLNet.CnnDiagnostics.Scans;

/// <summary>The per-image tables of a scan folder (ids, embeddings, predictions), appended in step.</summary>
internal sealed class ScanTables : IDisposable
{
    private readonly NpyAppender _ids, _embeddings, _predictions;
    private readonly int _dimension, _classes;

    /// <summary>Opens the tables of <paramref name="folder"/> cut back to <paramref name="rows"/> checkpointed rows (creating them when <paramref name="create"/>).</summary>
    public ScanTables(string folder, ScanHeader header, long rows, bool create)
    {
        _dimension = header.EmbeddingDimension;
        _classes = header.Classes;
        foreach (var name in new[] { ScanFolder.IdsFile, ScanFolder.EmbeddingsFile, ScanFolder.PredictionsFile })
            if (!create && !File.Exists(Path.Combine(folder, name)))
                throw new CnnDiagnosticsException($"scan folder '{folder}' lacks its table '{name}'.");
        _ids = new NpyAppender(Path.Combine(folder, ScanFolder.IdsFile), "<i8", [], sizeof(long), rows);
        try
        {
            _embeddings = new NpyAppender(Path.Combine(folder, ScanFolder.EmbeddingsFile), "<f4", [_dimension], sizeof(float), rows);
            _predictions = new NpyAppender(Path.Combine(folder, ScanFolder.PredictionsFile), "<i4", [], sizeof(int), rows);
        }
        catch
        {
            _ids.Dispose();
            _embeddings?.Dispose();
            throw;
        }
    }

    /// <summary>Appends the rows of one batch: ids, the embedding [N, ...] flattened per row, and the arg-max of the class scores.</summary>
    public void Append(long[] ids, FloatTensor embeddings, FloatTensor logits)
    {
        int n = ids.Length;
        if (embeddings.Length != n * _dimension || logits.Length != n * _classes)
            throw new CnnDiagnosticsException($"the model gave embeddings [{string.Join(",", embeddings.Shape)}] and class scores [{string.Join(",", logits.Shape)}] for {n} images; expected {_dimension} and {_classes} values per image.");
        var predictions = new int[n];
        for (int i = 0; i < n; i++)
        {
            var row = logits.Data.AsSpan(i * _classes, _classes);
            int best = 0;
            for (int c = 1; c < row.Length; c++)
                if (row[c] > row[best]) best = c; // the first of equal maxima, as numpy.argmax
            predictions[i] = best;
        }
        _ids.Append<long>(ids);
        _embeddings.Append<float>(embeddings.Data.AsSpan(0, n * _dimension));
        _predictions.Append<int>(predictions);
    }

    /// <summary>Makes every appended row durable.</summary>
    public void Checkpoint()
    {
        _ids.Checkpoint();
        _embeddings.Checkpoint();
        _predictions.Checkpoint();
    }

    public void Dispose()
    {
        _ids.Dispose();
        _embeddings.Dispose();
        _predictions.Dispose();
    }
}
