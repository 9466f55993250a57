namespace MLNet.CnnDiagnostics.Cli;

/// <summary>Checks an output path named on the command line before any work is done: its folder exists and its extension is one the verb writes.</summary>
internal static class OutputFile
{
    public static string Check(string option, string path, IReadOnlyList<string> extensions)
    {
        string full = Path.GetFullPath(path);
        string extension = Path.GetExtension(full).ToLowerInvariant();
        if (!extensions.Contains(extension))
            throw new UsageException($"'--{option} {path}' has extension '{extension}'; the valid extensions are: {string.Join(", ", extensions)}.");
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new UsageException($"'--{option} {path}': folder '{folder}' does not exist; create it first or choose another path.");
        if (Directory.Exists(full))
            throw new UsageException($"'--{option} {path}' is a folder; give a file name ending in {string.Join(" or ", extensions)}.");
        return full;
    }

    /// <summary>Writes through a temporary file in the same folder and a rename, so a failure never leaves a half-written file.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) write(stream);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new CnnDiagnosticsException($"cannot write '{path}': {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
