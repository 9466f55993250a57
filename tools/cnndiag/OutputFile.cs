
namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// Checks an output path named on the command line before any work is done: its folder exists, its extension is one the
/// verb writes, and it is none of the verb's own input files.
/// </summary>
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

    /// <summary>
    /// Refuses to write any of <paramref name="outputs"/> (what <c>--<paramref name="option"/></c> makes) over the file given to one
    /// of <paramref name="inputOptions"/>: a verb never destroys its own input. Links are followed to the file they name.
    /// </summary>
    public static void CheckNotAnInput(string option, string path, IReadOnlyList<string> outputs, CommandLine line, params string[] inputOptions)
    {
        foreach (var input in inputOptions)
        {
            if (line.String(input) is not { } value) continue;
            foreach (var output in outputs)
                if (SameFile(output, value))
                    throw new UsageException($"'--{option} {path}' would write '{output}', which is the --{input} file '{value}'; a command never overwrites its input: choose another output.");
        }
    }

    /// <summary>Writes through a temporary file in the same folder and a rename, so a failure (or a signal) never leaves a half-written file.</summary>
    public static void Write(string path, Action<Stream> write) => AtomicFile.Write(path, write);

    private static bool SameFile(string a, string b) => string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    private static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName is { } target ? Path.GetFullPath(target) : full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
