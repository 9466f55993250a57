namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// Combines finished scans of disjoint shards of one dataset into one scan folder. The result is byte-identical to a
/// single pass over the union of the shards: top patches and quantile sketches merge exactly and are stored in canonical
/// order, and the per-image tables are interleaved by image id.
/// </summary>
public static class ScanMerge
{
    /// <summary>Merges the scans in <paramref name="inputs"/> into the new folder <paramref name="output"/> and returns the merged state.</summary>
    /// <exception cref="CnnDiagnosticsException">An input is unfinished, the inputs come from different models, datasets or settings, two inputs cover the same shard, or the output exists and is not empty.</exception>
    public static ScanState Merge(IReadOnlyList<string> inputs, string output)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        if (inputs.Count == 0) throw new ArgumentException("give at least one scan folder to merge.", nameof(inputs));
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output));
        foreach (var input in inputs)
            if (string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(input)), target, StringComparison.Ordinal))
                throw new CnnDiagnosticsException($"the output folder '{output}' is also an input; merge into a new folder.");
        if (File.Exists(target)) throw new CnnDiagnosticsException($"the output '{output}' is a file; give a new folder.");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new CnnDiagnosticsException($"the output folder '{output}' exists and is not empty; give a new or empty folder.");

        var states = inputs.Select(ScanFolder.Load).ToList();
        var first = states[0];
        var owner = new Dictionary<int, string>();
        for (int i = 0; i < states.Count; i++)
        {
            var s = states[i];
            if (!s.IsComplete)
                throw new CnnDiagnosticsException($"'{inputs[i]}' is an unfinished scan ({s.Done} of {s.Planned} images); run its scan command again to finish it, then merge.");
            if (first.Header.Difference(s.Header) is { } why)
                throw new CnnDiagnosticsException($"'{inputs[0]}' and '{inputs[i]}' cannot be merged: {why}.");
            foreach (var shard in s.Shards)
                if (!owner.TryAdd(shard, inputs[i]))
                    throw new CnnDiagnosticsException($"shard {shard}/{s.Header.ShardCount} is in both '{owner[shard]}' and '{inputs[i]}'; each shard may be merged once.");
        }
        for (int i = 1; i < states.Count; i++)
            for (int l = 0; l < first.Layers.Count; l++)
            {
                first.Layers[l].Patches.Merge(states[i].Layers[l].Patches);
                first.Layers[l].Quantiles.Merge(states[i].Layers[l].Quantiles);
            }
        bool whole = owner.Count == first.Header.ShardCount;
        var merged = new ScanState(whole ? first.Header with { ShardCount = 1 } : first.Header, first.Layers)
        {
            Shards = whole ? [0] : owner.Keys.Order().ToArray(),
            Planned = states.Sum(s => s.Planned),
            Done = states.Sum(s => s.Done),
            Rows = states.Sum(s => s.Rows),
        };
        foreach (var (id, reason) in states.SelectMany(s => s.Skipped)) merged.AddSkipped(id, reason);
        merged.SortSkipped();

        string parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent)) throw new CnnDiagnosticsException($"the output's folder '{parent}' does not exist; create it first.");
        string temp = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            Interleave(inputs, states, temp, merged);
            ScanFolder.Save(temp, merged);
            if (Directory.Exists(target)) Directory.Delete(target); // empty, checked above
            Directory.Move(temp, target);
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); }
            catch (IOException) { /* a hidden temporary folder is all that is left */ }
            throw;
        }
        return merged;
    }

    // the rows of every input, by ascending image id (each input is already ascending)
    private static void Interleave(IReadOnlyList<string> inputs, List<ScanState> states, string folder, ScanState merged)
    {
        var h = merged.Header;
        var readers = new List<(NpyReader Ids, NpyReader Embeddings, NpyReader Predictions)>();
        try
        {
            for (int i = 0; i < inputs.Count; i++)
                readers.Add((ScanTable.Open(inputs[i], ScanFolder.IdsFile, "<i8", [], sizeof(long), states[i].Rows),
                             ScanTable.Open(inputs[i], ScanFolder.EmbeddingsFile, "<f4", [h.EmbeddingDimension], sizeof(float), states[i].Rows),
                             ScanTable.Open(inputs[i], ScanFolder.PredictionsFile, "<i4", [], sizeof(int), states[i].Rows)));
            using var ids = new NpyAppender(Path.Combine(folder, ScanFolder.IdsFile), "<i8", [], sizeof(long), 0);
            using var embeddings = new NpyAppender(Path.Combine(folder, ScanFolder.EmbeddingsFile), "<f4", [h.EmbeddingDimension], sizeof(float), 0);
            using var predictions = new NpyAppender(Path.Combine(folder, ScanFolder.PredictionsFile), "<i4", [], sizeof(int), 0);
            var next = new long[inputs.Count];
            var left = states.Select(s => s.Rows).ToArray();
            var idBytes = new byte[sizeof(long)];
            var embeddingRow = new byte[h.EmbeddingDimension * sizeof(float)];
            var predictionRow = new byte[sizeof(int)];
            void Advance(int i)
            {
                if (left[i] == 0) { next[i] = long.MaxValue; return; }
                readers[i].Ids.ReadRow(idBytes);
                next[i] = BitConverter.ToInt64(idBytes);
            }
            for (int i = 0; i < inputs.Count; i++) Advance(i);
            long previous = -1;
            for (long row = 0; row < merged.Rows; row++)
            {
                int pick = 0;
                for (int i = 1; i < next.Length; i++) if (next[i] < next[pick]) pick = i;
                long id = next[pick];
                if (id <= previous)
                    throw new CnnDiagnosticsException($"image id {id} appears twice or out of order in '{inputs[pick]}'; the scan folders were changed.");
                previous = id;
                readers[pick].Embeddings.ReadRow(embeddingRow);
                readers[pick].Predictions.ReadRow(predictionRow);
                ids.Append<long>([id]);
                embeddings.Append<byte>(embeddingRow);
                predictions.Append<byte>(predictionRow);
                left[pick]--;
                Advance(pick);
            }
            ids.Checkpoint();
            embeddings.Checkpoint();
            predictions.Checkpoint();
        }
        finally
        {
            foreach (var (a, b, c) in readers)
            {
                a.Dispose();
                b.Dispose();
                c.Dispose();
            }
        }
    }
}
