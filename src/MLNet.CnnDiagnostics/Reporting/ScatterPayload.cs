using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// The data of one interactive scatter as compact column-wise JSON for the page's script: coordinates, class indices
/// into one class list shared by labels and predictions (so a class keeps its colour when the plot is recoloured),
/// rows, and de-duplicated base64 thumbnails.
/// </summary>
internal static class ScatterPayload
{
    /// <summary>The classes of the labels and predictions: numeric order when every name is a number, otherwise ordinal order.</summary>
    public static List<string> Classes(IReadOnlyList<ScatterPoint> points)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in points)
        {
            if (p.Label is not null) names.Add(p.Label);
            if (p.Prediction is not null) names.Add(p.Prediction);
        }
        var list = names.ToList();
        bool numeric = list.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (numeric)
            list.Sort((a, b) => double.Parse(a, CultureInfo.InvariantCulture).CompareTo(double.Parse(b, CultureInfo.InvariantCulture)));
        else
            list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>The JSON text, safe to place inside a <c>&lt;script type="application/json"&gt;</c> element.</summary>
    public static string Json(ScatterBlock block, string sectionId, int maxThumbnailSide)
    {
        var points = block.Points ?? throw new CnnDiagnosticsException($"scatter in section '{sectionId}' has no point list.");
        var classes = Classes(points);
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        var thumbs = new List<string>();
        var thumbIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        // the same image given for many points is checked and shrunk once
        var thumbOfImage = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);

        using var buffer = new MemoryStream();
        // relaxed escaping keeps base64 '+' as is; '<' is escaped below so no label can close the script element
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("colorBy", block.ColorBy);
            json.WriteStartArray("classes");
            foreach (var c in classes) json.WriteStringValue(c);
            json.WriteEndArray();
            WriteColumn(json, "x", points, p => json.WriteNumberValue(Coordinate(p.X, "x", p, sectionId)));
            WriteColumn(json, "y", points, p => json.WriteNumberValue(Coordinate(p.Y, "y", p, sectionId)));
            WriteColumn(json, "label", points, p => json.WriteNumberValue(p.Label is null ? -1 : classIndex[p.Label]));
            WriteColumn(json, "prediction", points, p => json.WriteNumberValue(p.Prediction is null ? -1 : classIndex[p.Prediction]));
            WriteColumn(json, "row", points, p => json.WriteNumberValue(p.Row));
            WriteColumn(json, "thumb", points, p => json.WriteNumberValue(ThumbnailIndex(p)));
            json.WriteStartArray("thumbs");
            foreach (var t in thumbs) json.WriteStringValue(t);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).Replace("<", "\\u003c", StringComparison.Ordinal);

        int ThumbnailIndex(ScatterPoint p)
        {
            if (p.Thumbnail is not { } thumbnail) return -1;
            if (thumbOfImage.TryGetValue(thumbnail.Identity, out int known)) return known;
            if (thumbnail.Image is null && ReportImage.Size(thumbnail.Png) is null)
                throw new CnnDiagnosticsException($"thumbnail of row {p.Row} in the scatter of section '{sectionId}' is not a PNG image ({thumbnail.Png.Length} bytes).");
            // an in-memory thumbnail is shrunk in memory and encoded once, already small
            string b64 = Convert.ToBase64String(thumbnail.ThumbnailPng(maxThumbnailSide));
            if (!thumbIndex.TryGetValue(b64, out int t))
            {
                t = thumbs.Count;
                thumbs.Add(b64);
                thumbIndex.Add(b64, t);
            }
            thumbOfImage.Add(thumbnail.Identity, t);
            return t;
        }
    }

    private static float Coordinate(double value, string axis, ScatterPoint p, string sectionId)
    {
        if (!double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
            throw new CnnDiagnosticsException($"scatter point of row {p.Row} in section '{sectionId}' has {axis} = {value.ToString(CultureInfo.InvariantCulture)}; coordinates must be finite numbers.");
        return (float)value;
    }

    private static void WriteColumn(Utf8JsonWriter json, string name, IReadOnlyList<ScatterPoint> points, Action<ScatterPoint> writeValue)
    {
        json.WriteStartArray(name);
        for (int i = 0; i < points.Count; i++)
            writeValue(points[i] ?? throw new CnnDiagnosticsException($"scatter point {i} is missing (null)."));
        json.WriteEndArray();
    }
}
