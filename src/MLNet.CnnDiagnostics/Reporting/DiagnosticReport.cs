namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// The report as data: sections of figures, tables and text, plus a machine-readable summary.
/// The HTML writer renders it; the JSON summary serialises <see cref="Summary"/>.
/// </summary>
public sealed class DiagnosticReport
{
    /// <summary>Title shown at the top of the page.</summary>
    public string Title { get; set; } = "CNN diagnostics";

    /// <summary>When the report was made (UTC).</summary>
    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;

    /// <summary>The sections, in the order of the lesson (model, filters, activations, embedding, investigation, decisions, sanity), then those added with <see cref="VisualizationOptions.AddSection"/>.</summary>
    public List<ReportSection> Sections { get; } = [];

    /// <summary>The numbers of the report (written beside the HTML as JSON).</summary>
    public ReportSummary Summary { get; init; } = new();

    /// <summary>The section with the given id, or null.</summary>
    public ReportSection? this[string id] => Sections.FirstOrDefault(s => s.Id == id);

    /// <summary>
    /// Every section or part of a section that is missing from the report, with the reason (the JSON's <c>skipped</c>):
    /// empty when the report is complete.
    /// </summary>
    public IReadOnlyDictionary<string, string> Skipped => Summary.Skipped;
}

/// <summary>One section of the report.</summary>
/// <param name="Id">Stable identifier used as the HTML anchor (e.g. <c>filters</c>).</param>
/// <param name="Title">Heading.</param>
public sealed record ReportSection(string Id, string Title)
{
    /// <summary>One or two sentences saying what the section shows and how to read it.</summary>
    public string? Introduction { get; set; }

    /// <summary>The content blocks.</summary>
    public List<ReportBlock> Blocks { get; } = [];

    /// <summary>Remarks, in order; a note with a <see cref="ReportNote.Skip"/> says that a part of the section is missing (e.g. "Skipped kNN accuracy: the data has no labels").</summary>
    public List<ReportNote> Notes { get; } = [];

    /// <summary>Seconds it took to compute the section.</summary>
    public double Seconds { get; set; }
}

/// <summary>A piece of content in a section.</summary>
public abstract record ReportBlock;

/// <summary>Free text (plain, HTML-escaped when written).</summary>
/// <param name="Text">The text.</param>
public sealed record TextBlock(string Text) : ReportBlock;

/// <summary>Named numbers shown as a small definition list.</summary>
/// <param name="Items">Label and value pairs, in order.</param>
public sealed record MetricsBlock(IReadOnlyList<KeyValuePair<string, string>> Items) : ReportBlock;

/// <summary>A figure (embedded inline as a PNG data URI).</summary>
/// <param name="Image">The image, in memory or as PNG bytes.</param>
/// <param name="Caption">Caption under the figure.</param>
public sealed record FigureBlock(BlockImage Image, string Caption) : ReportBlock
{
    /// <summary>A figure given as PNG bytes.</summary>
    /// <param name="png">Encoded PNG bytes.</param>
    /// <param name="caption">Caption under the figure.</param>
    public FigureBlock(byte[] png, string caption) : this(BlockImage.FromPng(png), caption) { }

    /// <summary>The image as PNG bytes (an in-memory image is encoded on each read).</summary>
    public byte[] Png => Image.Png;
}

/// <summary>A table.</summary>
/// <param name="Headers">Column headers.</param>
/// <param name="Rows">Cells, row by row, as text.</param>
/// <param name="Caption">Caption above the table.</param>
public sealed record TableBlock(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption = null) : ReportBlock;

/// <summary>Rows of small images with captions, e.g. a query and its nearest neighbours.</summary>
/// <param name="Rows">Each row: a label and its tiles.</param>
/// <param name="Caption">Caption above the gallery.</param>
/// <param name="GoodMeaning">What a <c>good</c> (green) mark means.</param>
/// <param name="BadMeaning">What a <c>bad</c> (red) mark means.</param>
public sealed record GalleryBlock(IReadOnlyList<GalleryRow> Rows, string? Caption = null,
    string GoodMeaning = "same class as the query", string BadMeaning = "another class") : ReportBlock;

/// <summary>One row of a gallery.</summary>
/// <param name="Label">Row label (e.g. "query 12, label 7").</param>
/// <param name="Tiles">The images of the row.</param>
public sealed record GalleryRow(string Label, IReadOnlyList<GalleryTile> Tiles);

/// <summary>One image of a gallery.</summary>
/// <param name="Image">The image, in memory or as PNG bytes.</param>
/// <param name="Caption">Short caption (e.g. a distance).</param>
/// <param name="Mark">Optional mark: <c>good</c> (e.g. same class), <c>bad</c>, or null.</param>
public sealed record GalleryTile(BlockImage Image, string Caption, string? Mark = null)
{
    /// <summary>A tile given as PNG bytes.</summary>
    /// <param name="png">Encoded PNG bytes.</param>
    /// <param name="caption">Short caption.</param>
    /// <param name="mark">Optional mark: <c>good</c>, <c>bad</c>, or null.</param>
    public GalleryTile(byte[] png, string caption, string? mark = null) : this(BlockImage.FromPng(png), caption, mark) { }

    /// <summary>The image as PNG bytes (an in-memory image is encoded on each read).</summary>
    public byte[] Png => Image.Png;
}

/// <summary>An interactive 2-D scatter (e.g. t-SNE): coloured by label, zoom and pan, a tooltip with the image on hover.</summary>
/// <param name="Points">The points.</param>
/// <param name="ColorBy">What the colour means (e.g. "label").</param>
/// <param name="Caption">Caption above the plot.</param>
public sealed record ScatterBlock(IReadOnlyList<ScatterPoint> Points, string ColorBy, string? Caption = null) : ReportBlock;

/// <summary>One point of a scatter.</summary>
/// <param name="X">Horizontal coordinate.</param>
/// <param name="Y">Vertical coordinate.</param>
/// <param name="Label">Class label (colour), or null.</param>
/// <param name="Prediction">Predicted class, or null.</param>
/// <param name="ThumbnailPng">Small image shown in the tooltip as PNG bytes, or null (none, or given in memory as <see cref="Thumbnail"/>).</param>
/// <param name="Row">Row index in the sample.</param>
public sealed record ScatterPoint(double X, double Y, string? Label, string? Prediction, byte[]? ThumbnailPng, int Row)
{
    /// <summary>The image shown in the tooltip (shrunk by the writer), or null: by default <see cref="ThumbnailPng"/>; set it to an in-memory image to have it encoded once, already small.</summary>
    public BlockImage? Thumbnail { get; init; } = ThumbnailPng is null ? null : BlockImage.FromPng(ThumbnailPng);
}
