namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>One section of the report: what it is called, which option turns it on, and how it is computed.</summary>
internal abstract class ReportSectionBuilder
{
    public abstract string Id { get; }

    public abstract string Title { get; }

    public abstract ReportSections Flag { get; }

    public abstract string Introduction { get; }

    public abstract void Build(ReportContext context, ReportSection section, ReportSummary summary);
}
