using System.Globalization;
using System.Net;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Writes the HTML of one section's content blocks (figures, tables, galleries, scatters, text, metrics).</summary>
internal sealed class HtmlBlockRenderer(TextWriter html, int maxThumbnailSide)
{
    // gallery tiles are shown this wide; smaller images are enlarged with crisp square pixels
    private const int TileDisplayWidth = 88;
    private int _scatters;

    /// <summary>Writes one block of the section <paramref name="sectionId"/>.</summary>
    public void Write(ReportBlock block, string sectionId)
    {
        switch (block)
        {
            case TextBlock t: WriteText(t); break;
            case MetricsBlock m: WriteMetrics(m); break;
            case FigureBlock f: WriteFigure(f, sectionId); break;
            case TableBlock t: WriteTable(t); break;
            case GalleryBlock g: WriteGallery(g, sectionId); break;
            case ScatterBlock s: WriteScatter(s, sectionId); break;
            case null: throw new CnnDiagnosticsException($"section '{sectionId}' holds a missing (null) block.");
            default:
                throw new CnnDiagnosticsException($"section '{sectionId}' holds a {block.GetType().Name}, which the HTML writer does not know; " +
                    "valid blocks: TextBlock, MetricsBlock, FigureBlock, TableBlock, GalleryBlock, ScatterBlock.");
        }
    }

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private void WriteText(TextBlock t) => html.Write($"<p class=\"text\">{E(t.Text)}</p>\n");

    private void WriteMetrics(MetricsBlock m)
    {
        html.Write("<dl class=\"metrics\">");
        foreach (var (key, value) in m.Items ?? [])
            html.Write($"<div><dt>{E(key)}</dt><dd>{E(value)}</dd></div>");
        html.Write("</dl>\n");
    }

    private void WriteFigure(FigureBlock f, string sectionId)
    {
        // an in-memory image is encoded here, once
        var png = f.Image?.Png;
        var (w, h) = PngSize(png, $"figure '{f.Caption}' in section '{sectionId}'");
        html.Write($"<figure class=\"figure\"><img src=\"{ReportImage.DataUri(png!)}\" width=\"{w}\" height=\"{h}\" alt=\"{E(f.Caption)}\"");
        html.Write(w <= 160 ? " class=\"px\">" : ">");
        html.Write($"<figcaption>{E(f.Caption)}</figcaption></figure>\n");
    }

    private void WriteTable(TableBlock t)
    {
        var rows = t.Rows ?? [];
        var headers = t.Headers ?? [];
        // a column whose every filled cell is a number is right-aligned, header included, so digits line up
        int columns = Math.Max(headers.Count, rows.Count == 0 ? 0 : rows.Max(r => r?.Count ?? 0));
        var numeric = new bool[columns];
        for (int c = 0; c < columns; c++)
        {
            var cells = rows.Select(r => r is not null && c < r.Count ? r[c] : null).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            numeric[c] = cells.Count > 0 && cells.All(IsNumber);
        }
        string Cell(string tag, string? text, int c, string extra = "") =>
            c < columns && numeric[c] ? $"<{tag} class=\"num\"{extra}>{E(text)}</{tag}>" : $"<{tag}{extra}>{E(text)}</{tag}>";

        html.Write("<div class=\"table-block\">");
        html.Write($"<p class=\"caption\">{E(t.Caption)} <span class=\"count\">{rows.Count.ToString(CultureInfo.InvariantCulture)} row{(rows.Count == 1 ? "" : "s")}</span></p>");
        html.Write("<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr>");
        for (int c = 0; c < headers.Count; c++) html.Write(Cell("th", headers[c], c, " scope=\"col\""));
        html.Write("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            html.Write("<tr>");
            for (int c = 0; c < (row?.Count ?? 0); c++) html.Write(Cell("td", row![c], c));
            html.Write("</tr>\n");
        }
        html.Write("</tbody></table></div></div>\n");
    }

    private void WriteGallery(GalleryBlock g, string sectionId)
    {
        var rows = g.Rows ?? [];
        html.Write("<div class=\"gallery\">");
        if (g.Caption is not null) html.Write($"<p class=\"caption\">{E(g.Caption)}</p>");
        if (rows.Any(r => r?.Tiles?.Any(t => t?.Mark is not null) == true))
            html.Write($"<p class=\"gallery-key\"><span class=\"key mark-good\"></span>{E(g.GoodMeaning)} <span class=\"key mark-bad\"></span>{E(g.BadMeaning)}</p>");
        foreach (var row in rows)
        {
            if (row is null) throw new CnnDiagnosticsException($"a gallery in section '{sectionId}' holds a missing (null) row.");
            html.Write($"<div class=\"gallery-row\"><div class=\"gallery-label\">{E(row.Label)}</div><div class=\"tiles\">");
            foreach (var tile in row.Tiles ?? [])
            {
                if (tile is null) throw new CnnDiagnosticsException($"gallery row '{row.Label}' in section '{sectionId}' holds a missing (null) tile.");
                var png = tile.Image?.Png;
                var (w, h) = PngSize(png, $"tile '{tile.Caption}' of gallery row '{row.Label}' in section '{sectionId}'");
                string mark = tile.Mark switch
                {
                    "good" => $" mark-good\" title=\"{E(g.GoodMeaning)}",
                    "bad" => $" mark-bad\" title=\"{E(g.BadMeaning)}",
                    _ => "",
                };
                string pixelated = w < TileDisplayWidth ? " class=\"px\"" : "";
                html.Write($"<figure class=\"tile{mark}\" data-mark=\"{E(tile.Mark)}\"><img src=\"{ReportImage.DataUri(png!)}\" width=\"{w}\" height=\"{h}\" alt=\"{E(tile.Caption)}\"{pixelated}>");
                html.Write($"<figcaption>{E(tile.Caption)}</figcaption></figure>");
            }
            html.Write("</div></div>\n");
        }
        html.Write("</div>\n");
    }

    private void WriteScatter(ScatterBlock s, string sectionId)
    {
        string id = $"scatter-{++_scatters}";
        var points = s.Points ?? [];
        bool predictions = points.Any(p => p?.Prediction is not null);
        html.Write($"<figure class=\"scatter\" id=\"{id}\" data-points=\"{points.Count.ToString(CultureInfo.InvariantCulture)}\">");
        if (s.Caption is not null) html.Write($"<figcaption class=\"caption\">{E(s.Caption)}</figcaption>");
        html.Write("<div class=\"scatter-toolbar\">");
        if (predictions)
        {
            bool byPrediction = string.Equals(s.ColorBy, "prediction", StringComparison.OrdinalIgnoreCase);
            html.Write($"<span class=\"colour-by\" role=\"radiogroup\" aria-label=\"colour by\">Colour by " +
                $"<label><input type=\"radio\" name=\"{id}-colour\" value=\"label\"{(byPrediction ? "" : " checked")}> label</label> " +
                $"<label><input type=\"radio\" name=\"{id}-colour\" value=\"prediction\"{(byPrediction ? " checked" : "")}> prediction</label></span>");
        }
        else
        {
            html.Write($"<span class=\"colour-by\">Colour: {E(s.ColorBy)}</span>");
        }
        html.Write("<button type=\"button\" class=\"scatter-reset\">Reset view</button>");
        html.Write("<span class=\"hint\">Scroll to zoom, drag to pan, hover a point for its image, click a class to hide it.</span></div>");
        html.Write("<div class=\"scatter-body\"><div class=\"scatter-canvas\">");
        html.Write($"<svg class=\"scatter-plot\" viewBox=\"0 0 800 560\" role=\"img\" aria-label=\"{E(s.Caption ?? "scatter")}\" data-zoom=\"1\"><rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"799\" height=\"559\"></rect><g class=\"points\"></g></svg>");
        html.Write($"<div class=\"scatter-tooltip\" id=\"{id}-tooltip\" role=\"tooltip\" hidden></div>");
        html.Write("</div><ul class=\"scatter-legend\" aria-label=\"classes\"></ul></div>");
        html.Write("<noscript><p class=\"note\">The interactive scatter needs JavaScript.</p></noscript>");
        html.Write($"<script type=\"application/json\" class=\"scatter-data\">{ScatterPayload.Json(s, sectionId, maxThumbnailSide)}</script>");
        html.Write("</figure>\n");
    }

    private static (int Width, int Height) PngSize(byte[]? png, string what) =>
        ReportImage.Size(png) ?? throw new CnnDiagnosticsException(
            $"{what} is not a PNG image ({(png is null ? "no bytes" : $"{png.Length} bytes without a PNG signature and header")}); figures and tiles must be PNG-encoded.");

    private static bool IsNumber(string? cell) =>
        !string.IsNullOrWhiteSpace(cell) &&
        double.TryParse(cell.TrimEnd('%', ' '), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _);
}
