namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// Writes a file through a temporary file in the same folder that is then renamed over the target, so a reader
/// (or a crash) never sees a half-written file and a failed write keeps the previous one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> into a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CnnDiagnosticsException($"report path '{path}' is not a valid file path: {e.Message}", e);
        }
        if (Directory.Exists(full))
            throw new CnnDiagnosticsException($"report path '{full}' is a folder; give a file path such as '{Path.Combine(full, "report.html")}'.");
        string folder = Path.GetDirectoryName(full)
            ?? throw new CnnDiagnosticsException($"report path '{full}' has no folder; give a file path.");
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CnnDiagnosticsException($"cannot write '{full}': its folder '{folder}' cannot be created ({e.Message}).", e);
        }

        // a dot-prefixed name with a random part: hidden in listings, and two writers never share a temporary file
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new CnnDiagnosticsException($"cannot write '{full}': {e.Message} (the previous file, if any, is unchanged).", e);
            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* nothing more can be done; the name is hidden and unique */ }
    }
}
