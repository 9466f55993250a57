using System.Diagnostics;
using MLNet.CnnDiagnostics.Reporting.Sections;

namespace MLNet.CnnDiagnostics.Reporting;

/// <summary>Runs the section builders in the lesson's order, timing each; a section that fails is kept with its error as a note.</summary>
internal static class DiagnosticReportBuilder
{
    public static IReadOnlyList<ReportSectionBuilder> AllSections { get; } =
    [
        new ModelSection(),
        new FiltersSection(),
        new ActivationsSection(),
        new EmbeddingSection(),
        new InvestigationSection(),
        new DecisionsSection(),
        new SanitySection(),
    ];

    public static DiagnosticReport Build(ReportContext context, string title, Action<string>? log = null)
    {
        var report = new DiagnosticReport { Title = title };
        report.Summary.Rows = context.Rows;
        report.Summary.SkippedImages = context.SkippedImages.ToList();
        var chosen = AllSections.Where(s => context.Options.Sections.HasFlag(s.Flag)).ToList();
        for (int i = 0; i < chosen.Count; i++)
        {
            var builder = chosen[i];
            context.Progress($"report: {builder.Title}", i, chosen.Count);
            var section = new ReportSection(builder.Id, builder.Title) { Introduction = builder.Introduction };
            var watch = Stopwatch.StartNew();
            try
            {
                builder.Build(context, section, report.Summary);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // One section's failure must not cost the user the rest of the report (or the fitted model).
                string what = e is CnnDiagnosticsException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                section.Notes.Add($"This section could not be completed: {what}");
                report.Summary.Skipped[builder.Id] = what;
            }
            finally
            {
                // each section makes the sessions it needs; none outlives it (their native memory would add to the next section's peak)
                context.ReleaseSessions();
            }
            // parts a section left out (no labels, no class scores, ...) are listed with the whole sections that failed
            int part = 0;
            foreach (var note in section.Notes.Where(ReportSection.IsSkipNote))
                if (!report.Summary.Skipped.Values.Any(v => note.Contains(v, StringComparison.Ordinal)))
                    report.Summary.Skipped.TryAdd($"{builder.Id}.{++part}", note);
            section.Seconds = watch.Elapsed.TotalSeconds;
            report.Summary.Timings[builder.Id] = Math.Round(section.Seconds, 3);
            report.Sections.Add(section);
            log?.Invoke($"section '{builder.Title}' took {section.Seconds:F1} s{(section.Notes.Count > 0 ? ": " + string.Join(" ", section.Notes) : "")}");
        }
        context.Progress("report", chosen.Count, chosen.Count);
        return report;
    }
}
