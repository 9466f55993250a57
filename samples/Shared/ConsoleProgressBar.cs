namespace MLNet.CnnDiagnostics;

/// <summary>
/// A one-line progress bar for console programs (samples, the CLI): redrawn in place on an interactive terminal,
/// one line per stage change when the output is redirected.
/// </summary>
internal sealed class ConsoleProgressBar : IProgress<DiagnosticsProgress>, IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly object _gate = new();
    private string _stage = "";
    private int _lastWidth;
    private DateTime _lastDraw;

    /// <summary>Draws on <paramref name="writer"/> (standard error by default).</summary>
    public ConsoleProgressBar(TextWriter? writer = null, bool? interactive = null)
    {
        _writer = writer ?? Console.Error;
        _interactive = interactive ?? (writer is null && !Console.IsErrorRedirected);
    }

    /// <inheritdoc/>
    public void Report(DiagnosticsProgress value)
    {
        lock (_gate)
        {
            bool newStage = value.Stage != _stage;
            if (!_interactive)
            {
                if (newStage) _writer.WriteLine($"{value.Stage} ...");
                _stage = value.Stage;
                return;
            }
            if (!newStage && (DateTime.UtcNow - _lastDraw).TotalMilliseconds < 100 && value.Done < value.Total) return;
            if (newStage && _stage.Length > 0) _writer.WriteLine();
            _stage = value.Stage;
            _lastDraw = DateTime.UtcNow;
            const int Width = 30;
            int filled = (int)Math.Round(value.Fraction * Width);
            string counts = value.Total > 0 ? $"{value.Done}/{value.Total}" : value.Done.ToString();
            string line = $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {value.Fraction,4:P0} {counts} {value.Stage}";
            _writer.Write(line.PadRight(_lastWidth));
            _lastWidth = line.Length;
        }
    }

    /// <summary>Ends the bar's line.</summary>
    public void Dispose()
    {
        lock (_gate)
            if (_interactive && _stage.Length > 0) _writer.WriteLine();
    }
}
