using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics;

/// <summary>
/// Writes a file through a temporary file in the same folder that is then renamed over the target, so a reader
/// (or a crash) never sees a half-written file and a failed write keeps the previous one. While a write is in flight,
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the live temporary files before the signal ends the process as it would have.
/// </summary>
internal static class AtomicFile
{
    private static readonly ConcurrentDictionary<string, byte> LiveTemporaryFiles = new(StringComparer.Ordinal);
    private static readonly Lock SignalLock = new();
    private static List<PosixSignalRegistration>? _registrations;
    private static int _writers;

    /// <summary>The temporary files of the writes now in flight.</summary>
    internal static IReadOnlyCollection<string> LiveTemporaryFileNames => LiveTemporaryFiles.Keys.ToList();

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
        Track(temp);
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
        finally
        {
            Untrack(temp);
        }
    }

    /// <summary>Removes every live temporary file (what a terminating signal does); the writes they belong to then fail.</summary>
    internal static void DeleteLiveTemporaryFiles()
    {
        foreach (var temp in LiveTemporaryFiles.Keys) TryDelete(temp);
    }

    private static void Track(string temp)
    {
        LiveTemporaryFiles[temp] = 0;
        lock (SignalLock)
        {
            if (_writers++ > 0) return;
            // handlers only while a write is in flight: a library must not change how its host handles signals otherwise
            try
            {
                _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
                    .Select(s => PosixSignalRegistration.Create(s, OnTerminatingSignal))];
            }
            catch (Exception e) when (e is PlatformNotSupportedException or IOException) { _registrations = null; }
        }
    }

    private static void Untrack(string temp)
    {
        LiveTemporaryFiles.TryRemove(temp, out _);
        lock (SignalLock)
        {
            if (--_writers > 0) return;
            foreach (var r in _registrations ?? []) r.Dispose();
            _registrations = null;
        }
    }

    // the context is not cancelled, so the signal goes on to end the process as it would have without this handler
    private static void OnTerminatingSignal(PosixSignalContext context) => DeleteLiveTemporaryFiles();

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* nothing more can be done; the name is hidden and unique */ }
    }
}
