namespace MLNet.CnnDiagnostics.Cli;

/// <summary>Where a verb writes: results to <see cref="Out"/>, messages and the progress bar to <see cref="Error"/>.</summary>
internal sealed class Terminal(TextWriter output, TextWriter error, bool showProgress, bool quiet = false)
{
    /// <summary>Whether progress messages may be written at all (not --quiet), even when no bar is drawn.</summary>
    public bool ShowsMessages => !quiet;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Text that holds names from files or models, with control characters escaped so a name cannot drive the terminal.</summary>
    public static string Escape(string text) => DisplayText.Escape(text);

    /// <summary>A progress bar on the error stream, or null when progress is off (--quiet, or the error stream is redirected).</summary>
    public ConsoleProgressBar? NewProgressBar() => showProgress ? new ConsoleProgressBar(Error, interactive: true) : null;
}
