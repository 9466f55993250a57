using System.Text.Json.Serialization;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>An image the report left out because it could not be read or decoded, or is above the pixel limit.</summary>
public sealed class SkippedImage
{
    /// <summary>The image file (as the pipeline named it), or a row description where the image has no file.</summary>
    [JsonPropertyName("path")] public string Path { get; init; } = "";

    /// <summary>Why it was left out, phrased to follow the file name ("is empty (0 bytes)").</summary>
    [JsonPropertyName("reason")] public string Reason { get; init; } = "";

    /// <inheritdoc/>
    public override string ToString() => $"'{Path}' {Reason}";
}
