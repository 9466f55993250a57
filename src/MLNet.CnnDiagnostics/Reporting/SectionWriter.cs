namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Adds content blocks to one section of the report, in order (what a section's <c>Render</c> writes with).</summary>
public sealed class SectionWriter
{
    private readonly ReportSection _section;

    internal SectionWriter(ReportSection section) => _section = section;

    /// <summary>The id of the section being written.</summary>
    public string SectionId => _section.Id;

    /// <summary>Adds a block of any kind (e.g. a <see cref="GalleryBlock"/> or a <see cref="ScatterBlock"/>).</summary>
    /// <param name="block">The block.</param>
    public void Add(ReportBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _section.Blocks.Add(block);
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    /// <param name="text">The text (HTML-escaped when written).</param>
    public void Text(string text) => Add(new TextBlock(text));

    /// <summary>Adds named values shown as a small definition list.</summary>
    /// <param name="items">Label and value pairs, in order.</param>
    public void Metrics(params IEnumerable<(string Name, string Value)> items) =>
        Add(new MetricsBlock(items.Select(i => new KeyValuePair<string, string>(i.Name, i.Value)).ToList()));

    /// <summary>Adds a figure (an in-memory <see cref="Rendering.RgbImage"/> converts to a <see cref="BlockImage"/>).</summary>
    /// <param name="image">The image.</param>
    /// <param name="caption">Caption under the figure.</param>
    public void Figure(BlockImage image, string caption) => Add(new FigureBlock(image, caption));

    /// <summary>Adds a table.</summary>
    /// <param name="headers">Column headers.</param>
    /// <param name="rows">Cells, row by row.</param>
    /// <param name="caption">Caption above the table.</param>
    public void Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, string? caption = null) => Add(new TableBlock(headers, rows, caption));
}
