using System.Diagnostics;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>A one-line text progress bar redrawn in place (carriage return), at most ten times a second; reports arrive on any thread.</summary>
internal sealed class ProgressBar(TextWriter writer) : IProgress<DiagnosticsProgress>, IDisposable
{
    private const int Width = 30;
    private readonly object _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private int _lastLength;

    public void Report(DiagnosticsProgress value)
    {
        lock (_lock)
        {
            long now = _clock.ElapsedMilliseconds;
            bool final = value.Total > 0 && value.Done >= value.Total;
            if (now - _lastDraw < 100 && !final) return;
            _lastDraw = now;
            int filled = (int)Math.Round(value.Fraction * Width);
            string text = value.Total > 0
                ? $"[{new string('#', filled)}{new string('.', Width - filled)}] {value.Fraction,4:P0} {value.Stage} ({value.Done}/{value.Total})"
                : $"[{new string('.', Width)}] {value.Stage} ({value.Done})";
            if (text.Length > 100) text = text[..100];
            writer.Write("\r" + text.PadRight(_lastLength));
            _lastLength = text.Length;
            writer.Flush();
        }
    }

    /// <summary>Clears the line so that later messages start clean.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_lastLength == 0) return;
            writer.Write("\r" + new string(' ', _lastLength) + "\r");
            writer.Flush();
            _lastLength = 0;
        }
    }
}
