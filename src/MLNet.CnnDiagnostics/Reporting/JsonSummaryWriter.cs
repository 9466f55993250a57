using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// Writes the report's <see cref="ReportSummary"/> as indented JSON (camelCase names from the attributes, null parts left out).
/// A number that is not finite (NaN, infinity) cannot be JSON, so it is written as null.
/// </summary>
public static class JsonSummaryWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new FiniteDoubleConverter(), new SectionResultConverter(), new ImageSizeConverter() },
    };

    /// <summary>The summary's path beside an HTML report: the same path with the <c>.json</c> extension.</summary>
    public static string PathBeside(string htmlPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(htmlPath);
        if (string.Equals(Path.GetExtension(htmlPath), ".json", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"report path '{htmlPath}' ends in .json, where the JSON summary goes; give the HTML report a name such as 'report.html'.", nameof(htmlPath));
        return Path.ChangeExtension(htmlPath, ".json");
    }

    /// <summary>The summary as JSON text.</summary>
    public static string Serialize(ReportSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(summary, Options);
    }

    /// <summary>Writes the summary to <paramref name="path"/> atomically (temporary file renamed over the target), creating the folder when needed.</summary>
    public static void Write(ReportSummary summary, string path)
    {
        ArgumentNullException.ThrowIfNull(summary);
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, summary, Options));
    }

    // NaN and infinity are not JSON numbers; null says "not computed" without breaking readers
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    // an added section's result is written with all its own properties, not only SectionResult's
    private sealed class SectionResultConverter : JsonConverter<SectionResult>
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(SectionResult);

        public override SectionResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("section results are written to the JSON summary, not read back from it.");

        public override void Write(Utf8JsonWriter writer, SectionResult value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }

    // an image a result keeps for its renderer is written as its size: the pixels belong in the page, not the summary
    private sealed class ImageSizeConverter : JsonConverter<RgbImage>
    {
        public override RgbImage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("images are not read back from the JSON summary.");

        public override void Write(Utf8JsonWriter writer, RgbImage value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("width", value.Width);
            writer.WriteNumber("height", value.Height);
            writer.WriteEndObject();
        }
    }
}
