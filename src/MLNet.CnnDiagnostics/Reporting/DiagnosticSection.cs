namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// One section of the diagnostic report: an analysis that computes a typed result and a renderer that turns the result
/// into blocks. Derive from <see cref="DiagnosticSection{TResult}"/> and add an instance with
/// <see cref="VisualizationOptions.AddSection"/>; the built-in sections are made the same way.
/// </summary>
public abstract class DiagnosticSection
{
    // only DiagnosticSection<TResult> derives from this: the report needs the typed pair
    private protected DiagnosticSection() { }

    /// <summary>Stable identifier: the HTML anchor and the key of the section in the JSON summary (no spaces, e.g. <c>brightness</c>).</summary>
    public abstract string Id { get; }

    /// <summary>Heading of the section.</summary>
    public abstract string Title { get; }

    /// <summary>One or two sentences saying what the section shows and how to read it, or null.</summary>
    public virtual string? Introduction => null;

    /// <summary>The <see cref="VisualizationOptions.Sections"/> flag that turns a built-in section on; added sections are always on.</summary>
    internal virtual ReportSections Flag => ReportSections.None;

    internal abstract SectionResult AnalyzeResult(ReportContext context);

    internal abstract void RenderResult(SectionResult result, SectionWriter writer);

    internal abstract void SummarizeResult(SectionResult result, ReportSummaryBuilder summary);
}

/// <summary>
/// A report section whose analysis returns a <typeparamref name="TResult"/>: <see cref="Analyze"/> computes it (the numbers
/// go into the JSON summary under <c>sections</c> → <see cref="DiagnosticSection.Id"/>), <see cref="Render"/> writes it as blocks.
/// </summary>
/// <typeparam name="TResult">The section's result: serialisable numbers and text, skips and headline numbers (<see cref="SectionResult"/>).</typeparam>
/// <example>
/// <code>
/// public sealed class BrightnessResult : SectionResult { public double Mean { get; set; } }
/// public sealed class BrightnessSection : DiagnosticSection&lt;BrightnessResult&gt;
/// {
///     public override string Id => "brightness";
///     public override string Title => "Brightness";
///     public override BrightnessResult Analyze(ReportContext context) => new() { Mean = ... };
///     public override void Render(BrightnessResult result, SectionWriter writer) => writer.Metrics(("mean", result.Mean.ToString("F1")));
/// }
/// // options.AddSection(new BrightnessSection());
/// </code>
/// </example>
public abstract class DiagnosticSection<TResult> : DiagnosticSection where TResult : SectionResult
{
    /// <summary>Computes the section's result from the sampled rows and the network. Throwing marks the whole section as skipped, with the message as the reason.</summary>
    /// <param name="context">The sample, the network and its runs.</param>
    public abstract TResult Analyze(ReportContext context);

    /// <summary>Writes the result as blocks (text, metrics, tables, figures, galleries, scatters); its notes and skips are written by the report.</summary>
    /// <param name="result">What <see cref="Analyze"/> returned.</param>
    /// <param name="writer">Adds blocks to the section.</param>
    public abstract void Render(TResult result, SectionWriter writer);

    /// <summary>Puts the result into the JSON summary: by default under <c>sections</c> → <see cref="DiagnosticSection.Id"/>; the built-in sections fill their own fields.</summary>
    internal virtual void Summarize(TResult result, ReportSummaryBuilder summary) => summary.Sections[Id] = result;

    internal sealed override SectionResult AnalyzeResult(ReportContext context) =>
        Analyze(context) ?? throw new CnnDiagnosticsException($"section '{Id}' ({GetType().Name}.Analyze) returned no result (null).");

    internal sealed override void RenderResult(SectionResult result, SectionWriter writer) => Render((TResult)result, writer);

    internal sealed override void SummarizeResult(SectionResult result, ReportSummaryBuilder summary) => Summarize((TResult)result, summary);
}
