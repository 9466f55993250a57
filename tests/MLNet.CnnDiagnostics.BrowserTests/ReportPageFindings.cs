namespace MLNet.CnnDiagnostics.BrowserTests;

/// <summary>What <see cref="ReportPageChecks.AssertHealthyAsync(ReportBrowser, string, int, string?, bool)"/> saw on a report page.</summary>
/// <param name="SectionIds">Section anchors, in page order.</param>
/// <param name="Images">Number of <c>&lt;img&gt;</c> elements (all decoded).</param>
/// <param name="ScatterPoints">Points drawn, over all scatters.</param>
/// <param name="Requests">URLs the page requested (file: and data: only).</param>
/// <param name="ZoomAfterWheel">The scatter's zoom factor after one wheel step in (1 before).</param>
/// <param name="TooltipRow">The row shown by the tooltip of the hovered point, or null when the page has no scatter.</param>
public sealed record ReportPageFindings(
    IReadOnlyList<string> SectionIds,
    int Images,
    int ScatterPoints,
    IReadOnlyList<string> Requests,
    double? ZoomAfterWheel,
    int? TooltipRow);
