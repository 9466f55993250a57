using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Writes a report's files: the HTML page and the JSON summary beside it, each atomically.</summary>
internal static class ReportFiles
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static void Write(DiagnosticReport report, string htmlPath)
    {
        string json = Path.ChangeExtension(htmlPath, ".json");
        AtomicFile.Write(json, stream => JsonSerializer.Serialize(stream, report.Summary, Json));
    }
}
