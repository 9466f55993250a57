
namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// The folder a scan writes: <c>scan.state</c> (the <see cref="ScanState"/>, replaced atomically at each checkpoint) and
/// three .npy tables with a row per scanned image in ascending id order: <c>ids.npy</c> (int64 image ids),
/// <c>embeddings.npy</c> (float32 [rows, dimension]) and <c>predictions.npy</c> (int32 arg-max class).
/// In Python: <c>numpy.load("STATE/embeddings.npy", mmap_mode="r")</c>.
/// </summary>
public static class ScanFolder
{
    /// <summary>The state file's name.</summary>
    public const string StateFile = "scan.state";

    /// <summary>The image-id table's name.</summary>
    public const string IdsFile = "ids.npy";

    /// <summary>The embedding table's name.</summary>
    public const string EmbeddingsFile = "embeddings.npy";

    /// <summary>The prediction table's name.</summary>
    public const string PredictionsFile = "predictions.npy";

    internal static readonly string[] Files = [StateFile, IdsFile, EmbeddingsFile, PredictionsFile];

    /// <summary>Reads the state of the scan in <paramref name="folder"/>.</summary>
    /// <exception cref="CnnDiagnosticsException">The folder holds no scan state, or a damaged one.</exception>
    public static ScanState Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string path = Path.Combine(folder, StateFile);
        if (!File.Exists(path))
            throw new CnnDiagnosticsException(Directory.Exists(folder)
                ? $"folder '{folder}' holds no scan ({StateFile} is missing); give a folder written by 'cnndiag scan' or 'cnndiag merge'."
                : $"scan folder '{folder}' does not exist; give a folder written by 'cnndiag scan' or 'cnndiag merge'.");
        using var stream = File.OpenRead(path);
        return ScanState.ReadFrom(stream, path);
    }

    /// <summary>
    /// Throws unless <paramref name="folder"/> may receive a new scan: it does not exist, is empty, or already holds a scan
    /// (which is then resumed or refused); a folder with other files is never written into.
    /// </summary>
    internal static void CheckWritable(string folder)
    {
        if (File.Exists(folder))
            throw new CnnDiagnosticsException($"scan folder '{folder}' is a file; give a folder (it is created when missing).");
        if (!Directory.Exists(folder) || File.Exists(Path.Combine(folder, StateFile))) return;
        var other = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).FirstOrDefault(n => !IsOwnTemporary(n!));
        if (other is not null)
            throw new CnnDiagnosticsException($"folder '{folder}' is not empty (it holds '{other}') and holds no scan; give a new or empty folder so no file of yours is overwritten.");
    }

    /// <summary>Writes <paramref name="state"/> atomically (through a temporary file and a rename).</summary>
    internal static void Save(string folder, ScanState state) =>
        AtomicFile.Write(Path.Combine(folder, StateFile), state.WriteTo);

    // AtomicFile's temporaries of our own files: ".scan.state.<guid>.tmp", left by a kill during a checkpoint
    private static bool IsOwnTemporary(string name) =>
        name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal) && Files.Any(f => name.StartsWith("." + f + ".", StringComparison.Ordinal));

    /// <summary>Deletes temporaries a killed checkpoint left behind.</summary>
    internal static void DeleteOwnTemporaries(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder).Where(p => IsOwnTemporary(Path.GetFileName(p))))
            File.Delete(path);
    }
}
