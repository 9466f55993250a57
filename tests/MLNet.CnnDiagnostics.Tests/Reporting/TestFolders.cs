namespace MLNet.CnnDiagnostics.Tests.Reporting;

/// <summary>Fresh, empty folders under the system temporary folder for tests that write files.</summary>
internal static class TestFolders
{
    public static string Fresh()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cnndiag-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
