using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>CNND004: <c>pipeline = chainWithoutTheTaps;</c> when <c>pipeline</c> held taps and is fitted later in the method.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LostTapsAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public LostTapsAnalyzer()
        : base(CnnDiagnosticsRules.LostTaps, OperationKind.SimpleAssignment)
    {
    }

    /// <inheritdoc />
    protected override void Analyze(OperationAnalysisContext context, PipelineFlow flow)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is not ILocalReferenceOperation target || !flow.Api.IsEstimator(target.Local.Type)) return;
        int position = assignment.Syntax.SpanStart;
        if (!flow.IsFittedAfter(target.Local, assignment, assignment.Syntax.Span.End)) return;

        var previous = flow.ValueBefore(target.Local, assignment, position);
        if (previous is null) return;
        var oldTaps = flow.Stages(previous).Where(s => s.Kind == PipelineStageKind.Tap).ToList();
        if (oldTaps.Count == 0) return;
        var newStages = flow.Stages(assignment.Value);
        if (newStages.Any(s => s.Kind == PipelineStageKind.Unknown)) return;
        var lost = oldTaps.FirstOrDefault(t => !newStages.Any(s => s.Operation == t.Operation));
        if (lost is null) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, assignment.Syntax.GetLocation(), target.Local.Name, lost.DisplayName));
    }
}
