using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>CNND001: a pipeline with a CNN stage or a tap is fitted without <c>AppendVisualization()</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingVisualizationAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public MissingVisualizationAnalyzer()
        : base(CnnDiagnosticsRules.MissingVisualization, OperationKind.Invocation)
    {
    }

    /// <inheritdoc />
    protected override void Analyze(OperationAnalysisContext context, PipelineFlow flow)
    {
        var fit = (IInvocationOperation)context.Operation;
        if (!flow.Api.IsFit(fit)) return;
        var stages = flow.Stages(PipelineApi.Receiver(fit));
        // a stage we cannot see into might hold the visualization: stay silent rather than guess
        if (stages.Any(s => s.Kind is PipelineStageKind.Unknown or PipelineStageKind.Visualization)) return;
        var cnn = stages.FirstOrDefault(s => s.Kind is PipelineStageKind.Cnn or PipelineStageKind.Tap);
        if (cnn is null) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, fit.Syntax.GetLocation(), cnn.DisplayName));
    }
}
