namespace MLNet.CnnDiagnostics.Scans;

/// <summary>The per-image results of a finished scan, read whole: image ids, embeddings and predictions in ascending id order.</summary>
public sealed class ScanTable
{
    private ScanTable(long[] ids, FloatTensor embeddings, int[] predictions)
    {
        Ids = ids;
        Embeddings = embeddings;
        Predictions = predictions;
    }

    /// <summary>The image id of each row, ascending.</summary>
    public IReadOnlyList<long> Ids { get; }

    /// <summary>The embeddings [rows, dimension].</summary>
    public FloatTensor Embeddings { get; }

    /// <summary>The predicted class (arg-max of the class scores) of each row.</summary>
    public IReadOnlyList<int> Predictions { get; }

    /// <summary>Reads the tables of the scan in <paramref name="folder"/> (whose state is <paramref name="state"/>).</summary>
    /// <exception cref="CnnDiagnosticsException">A table is missing or does not match the state.</exception>
    public static ScanTable Read(string folder, ScanState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var h = state.Header;
        if (state.Rows > int.MaxValue / Math.Max(1, h.EmbeddingDimension))
            throw new CnnDiagnosticsException($"the scan in '{folder}' has {state.Rows} rows of {h.EmbeddingDimension} values, more than one array holds; read embeddings.npy with numpy.load(..., mmap_mode='r') instead.");
        using var ids = Open(folder, ScanFolder.IdsFile, "<i8", [], sizeof(long), state.Rows);
        using var embeddings = Open(folder, ScanFolder.EmbeddingsFile, "<f4", [h.EmbeddingDimension], sizeof(float), state.Rows);
        using var predictions = Open(folder, ScanFolder.PredictionsFile, "<i4", [], sizeof(int), state.Rows);
        int rows = (int)state.Rows;
        return new ScanTable(ids.ReadAll<long>(), new FloatTensor([rows, h.EmbeddingDimension], embeddings.ReadAll<float>()), predictions.ReadAll<int>());
    }

    internal static NpyReader Open(string folder, string name, string descr, int[] rowShape, int elementBytes, long rows)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path)) throw new CnnDiagnosticsException($"scan folder '{folder}' lacks its table '{name}'.");
        return new NpyReader(path, descr, rowShape, elementBytes, rows);
    }
}
