using System.Diagnostics;
using MLNet.CnnDiagnostics.Reporting.Sections;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>
/// Runs the sections in the lesson's order, then the added ones: each section's analysis, timed, makes its result, the
/// result goes into the summary and its renderer writes the blocks. A section that fails is kept with its error as a skip.
/// </summary>
internal static class DiagnosticReportBuilder
{
    /// <summary>The built-in sections, in the lesson's order (each turned on by its <see cref="ReportSections"/> flag).</summary>
    public static IReadOnlyList<DiagnosticSection> BuiltIn { get; } =
    [
        new ModelSection(),
        new FiltersSection(),
        new ActivationsSection(),
        new EmbeddingSection(),
        new InvestigationSection(),
        new DecisionsSection(),
        new SanitySection(),
    ];

    /// <summary>The sections a report with these options has: the built-in ones its flags turn on, then the added ones.</summary>
    public static IReadOnlyList<DiagnosticSection> Chosen(VisualizationOptions options) =>
        [.. BuiltIn.Where(s => options.Sections.HasFlag(s.Flag)), .. options.AddedSections];

    public static DiagnosticReport Build(ReportContext context, string title, Action<string>? log = null)
    {
        var created = DateTime.UtcNow;
        var sections = new List<ReportSection>();
        var summary = new ReportSummaryBuilder { Rows = context.Rows };
        summary.SkippedImages.AddRange(context.SkippedImages);
        var chosen = Chosen(context.Options);
        for (int i = 0; i < chosen.Count; i++)
        {
            var definition = chosen[i];
            context.Progress($"report: {definition.Title}", i, chosen.Count);
            var section = new ReportSection(definition.Id, definition.Title) { Introduction = definition.Introduction };
            var watch = Stopwatch.StartNew();
            try
            {
                var result = definition.AnalyzeResult(context);
                definition.SummarizeResult(result, summary);
                section.Notes.AddRange(result.Notes);
                // parts a section left out (no labels, no class scores, ...) are listed with the whole sections that failed
                int part = 0;
                foreach (var note in result.Notes.Where(n => n.IsSkip))
                    summary.Skipped.TryAdd($"{definition.Id}.{++part}", note.Text);
                definition.RenderResult(result, new SectionWriter(section));
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // One section's failure must not cost the user the rest of the report (or the fitted model).
                string what = e is CnnDiagnosticsException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                section.Notes.Add(new ReportNote($"This section could not be completed: {what}", new SectionSkip(definition.Id, what)));
                summary.Skipped[definition.Id] = what;
            }
            finally
            {
                // each section makes the sessions it needs; none outlives it (their native memory would add to the next section's peak)
                context.ReleaseSessions();
            }
            section.Seconds = watch.Elapsed.TotalSeconds;
            summary.Timings[definition.Id] = Math.Round(section.Seconds, 3);
            sections.Add(section);
            log?.Invoke($"section '{definition.Title}' took {section.Seconds:F1} s{(section.Notes.Count > 0 ? ": " + string.Join(" ", section.Notes) : "")}");
        }
        context.Progress("report", chosen.Count, chosen.Count);
        var report = new DiagnosticReport { Title = title, CreatedUtc = created, Summary = summary.Build() };
        report.Sections.AddRange(sections);
        return report;
    }
}
