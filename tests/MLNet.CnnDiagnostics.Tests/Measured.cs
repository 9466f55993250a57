namespace MLNet.CnnDiagnostics.Tests;

/// <summary>Measured numbers a test prints: to the console, and appended to the file named by CNNDIAG_MEASURED when set (the runner hides passing tests' output).</summary>
internal static class Measured
{
    public static void Print(string text)
    {
        Console.WriteLine(text);
        if (Environment.GetEnvironmentVariable("CNNDIAG_MEASURED") is { Length: > 0 } path) File.AppendAllText(path, text + Environment.NewLine);
    }
}
