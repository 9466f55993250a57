using System.Globalization;
using System.Reflection;
using System.Text;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// Writes a <see cref="DiagnosticReport"/> as one self-contained HTML file: images inline as data URIs, CSS and JavaScript
/// inline, and a content security policy that forbids every network request, so the file opens from disk anywhere.
/// </summary>
public static class HtmlReportWriter
{
    /// <summary>Longest side, in pixels, of the scatter's tooltip thumbnails (larger ones are shrunk): 1,000 rows stay a few MB.</summary>
    public const int DefaultThumbnailSide = 48;

    // nothing may be fetched: images are data URIs, style and script are inline
    private const string ContentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private static readonly Lazy<string> Css = new(() => Asset("report.css"));
    private static readonly Lazy<string> Script = new(() => Asset("report.js"));

    /// <summary>
    /// Writes the report to <paramref name="path"/> atomically (a temporary file in the same folder renamed over the target),
    /// creating the folder when needed. A path that cannot be written throws <see cref="CnnDiagnosticsException"/> naming it,
    /// and leaves any previous file as it was.
    /// </summary>
    public static void Write(DiagnosticReport report, string path) => Write(report, path, DefaultThumbnailSide);

    /// <summary>As <see cref="Write(DiagnosticReport, string)"/>, shrinking scatter thumbnails to at most <paramref name="maxThumbnailSide"/> pixels.</summary>
    public static void Write(DiagnosticReport report, string path, int maxThumbnailSide)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckThumbnailSide(maxThumbnailSide);
        Validate(report);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            Render(report, writer, maxThumbnailSide);
        });
    }

    /// <summary>
    /// Writes the HTML report to <paramref name="htmlPath"/> and its JSON summary beside it
    /// (<see cref="JsonSummaryWriter.PathBeside"/>, both atomically); returns the summary's path.
    /// </summary>
    public static string WriteWithSummary(DiagnosticReport report, string htmlPath)
    {
        ArgumentNullException.ThrowIfNull(report);
        string jsonPath = JsonSummaryWriter.PathBeside(htmlPath);
        Write(report, htmlPath);
        JsonSummaryWriter.Write(report.Summary, jsonPath);
        return jsonPath;
    }

    /// <summary>Writes the report's HTML to <paramref name="writer"/>.</summary>
    public static void Render(DiagnosticReport report, TextWriter writer, int maxThumbnailSide = DefaultThumbnailSide)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        CheckThumbnailSide(maxThumbnailSide);
        Validate(report);
        var blocks = new HtmlBlockRenderer(writer, maxThumbnailSide);
        string E(string? s) => HtmlBlockRenderer.E(s);
        double totalSeconds = report.Sections.Sum(s => s.Seconds);

        writer.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        writer.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        writer.Write($"<meta http-equiv=\"Content-Security-Policy\" content=\"{ContentSecurityPolicy}\">\n");
        writer.Write("<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"generator\" content=\"MLNet.CnnDiagnostics\">\n");
        writer.Write($"<title>{E(report.Title)}</title>\n<style>\n{Css.Value}</style>\n</head>\n<body>\n");

        writer.Write($"<header class=\"page-header\"><h1>{E(report.Title)}</h1>");
        writer.Write($"<p class=\"meta\">Made {report.CreatedUtc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC · " +
            $"{report.Sections.Count} section{(report.Sections.Count == 1 ? "" : "s")} · {Duration(totalSeconds)}</p>");
        WriteKeyNumbers(writer, report.Summary);
        WriteSkippedImages(writer, report.Summary.SkippedImages);
        writer.Write("</header>\n<div class=\"layout\">\n");

        writer.Write("<nav class=\"toc\" aria-label=\"Contents\"><h2>Contents</h2><ol>");
        foreach (var section in report.Sections)
        {
            string skipped = section.Notes.Any(n => n?.IsSkip == true) ? " class=\"skipped\"" : "";
            writer.Write($"<li{skipped}><a href=\"#{E(section.Id)}\">{E(section.Title)}</a><span class=\"secs\">{Duration(section.Seconds)}</span></li>");
        }
        writer.Write("</ol></nav>\n<main>\n");

        int number = 0;
        foreach (var section in report.Sections)
        {
            number++;
            writer.Write($"<section class=\"report-section\" id=\"{E(section.Id)}\" data-seconds=\"{section.Seconds.ToString("0.###", CultureInfo.InvariantCulture)}\">\n");
            writer.Write($"<div class=\"section-head\"><h2><span class=\"num\">{number}</span> {E(section.Title)}</h2>" +
                $"<span class=\"secs\" title=\"time to compute this section\">{Duration(section.Seconds)}</span></div>\n");
            if (!string.IsNullOrWhiteSpace(section.Introduction)) writer.Write($"<p class=\"intro\">{E(section.Introduction)}</p>\n");
            if (section.Notes.Count > 0)
            {
                writer.Write("<ul class=\"notes\">");
                foreach (var note in section.Notes)
                    writer.Write($"<li class=\"note{(note?.IsSkip == true ? " skipped" : "")}\">{E(note?.Text)}</li>");
                writer.Write("</ul>\n");
            }
            foreach (var block in section.Blocks) blocks.Write(block, section.Id);
            writer.Write("</section>\n");
        }

        writer.Write("</main>\n</div>\n<footer class=\"page-footer\">Made by MLNet.CnnDiagnostics. This file is self-contained: it loads nothing from the network.</footer>\n");
        writer.Write($"<script>\n{Script.Value}</script>\n</body>\n</html>\n");
    }

    /// <summary>"&lt; 0.01 s", "0.42 s", "12.3 s", "2 min 05 s"; empty for zero.</summary>
    internal static string Duration(double seconds)
    {
        if (!(seconds > 0) || !double.IsFinite(seconds)) return "";
        if (seconds < 0.01) return "< 0.01 s";
        if (seconds < 10) return seconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
        if (seconds < 60) return seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
        int whole = (int)Math.Round(seconds);
        return $"{whole / 60} min {whole % 60:00} s";
    }


    private static void WriteKeyNumbers(TextWriter writer, ReportSummary summary)
    {
        // a failed check is marked "fail" (drawn red), a passed one "pass"; plain numbers carry no verdict
        var items = summary.Headlines().ToList();
        if (items.Count == 0) return;
        writer.Write("<dl class=\"key-numbers\">");
        foreach (var item in items)
        {
            string state = item.Passed switch { true => " class=\"pass\" data-check=\"pass\"", false => " class=\"fail\" data-check=\"fail\"", null => "" };
            writer.Write($"<div{state}><dt>{HtmlBlockRenderer.E(item.Name)}</dt><dd>{HtmlBlockRenderer.E(item.Text)}</dd></div>");
        }
        writer.Write("</dl>");
    }

    private static void WriteSkippedImages(TextWriter writer, IReadOnlyList<SkippedImage> skipped)
    {
        if (skipped.Count == 0) return;
        writer.Write($"<details class=\"skipped-images\"><summary>{skipped.Count} sampled image{(skipped.Count == 1 ? " was" : "s were")} skipped: unreadable, corrupt or too large</summary><ul class=\"notes\">");
        foreach (var image in skipped)
            writer.Write($"<li class=\"note skipped\">{HtmlBlockRenderer.E(image.ToString())}</li>");
        writer.Write("</ul></details>");
    }

    private static void Validate(DiagnosticReport report)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in report.Sections)
        {
            if (section is null) throw new CnnDiagnosticsException("the report holds a missing (null) section.");
            if (string.IsNullOrWhiteSpace(section.Id) || section.Id.Any(char.IsWhiteSpace))
                throw new CnnDiagnosticsException($"section id '{section.Id}' (\"{section.Title}\") is not a valid anchor: it must be non-empty and without spaces, e.g. 'embedding'.");
            if (!seen.Add(section.Id))
                throw new CnnDiagnosticsException($"section id '{section.Id}' is used twice; each section needs its own id.");
        }
    }

    private static void CheckThumbnailSide(int maxThumbnailSide)
    {
        if (maxThumbnailSide is < 8 or > 512)
            throw new ArgumentOutOfRangeException(nameof(maxThumbnailSide), $"thumbnail side {maxThumbnailSide} is not valid: use 8 to 512 pixels.");
    }

    private static string Asset(string name)
    {
        string resource = $"MLNet.CnnDiagnostics.Reporting.Assets.{name}";
        using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing from the library.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
