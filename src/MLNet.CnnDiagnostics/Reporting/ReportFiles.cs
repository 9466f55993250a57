namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Writes a report's files: the HTML page and the JSON summary beside it, each atomically.</summary>
internal static class ReportFiles
{
    public static void Write(DiagnosticReport report, string htmlPath) => HtmlReportWriter.WriteWithSummary(report, htmlPath);
}
